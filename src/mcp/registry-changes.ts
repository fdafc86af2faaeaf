import type { SkillRegistry } from '../tools/registry.js';

const subscribers = new WeakMap<SkillRegistry, Set<() => void>>();

/**
 * Calls `listener` after each effective change of the registry (hot reload). All MCP sessions and
 * streams of a registry share one registry listener, so that many clients do not pile up listeners.
 * Returns the unsubscribe function.
 */
export function onRegistryChange(registry: SkillRegistry, listener: () => void): () => void {
  let set = subscribers.get(registry);
  if (!set) {
    const fresh = new Set<() => void>();
    registry.on('change', () => {
      for (const l of [...fresh]) l();
    });
    subscribers.set(registry, fresh);
    set = fresh;
  }
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}
