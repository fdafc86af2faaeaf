import type { HandlerSpec, PipelineStep } from '../skill-spec.js';
import { conditionPaths, type TemplatePath, templatePaths } from '../template/index.js';

export type PipelineHandlerSpec = Extract<HandlerSpec, { type: 'pipeline' }>;

/** The step ids a step's templates (`with`, `if`) read as `steps.<id>...`. */
export function referencedSteps(step: PipelineStep): string[] {
  const paths: TemplatePath[] = [...templatePaths(step.with), ...(step.if ? conditionPaths(step.if) : [])];
  const ids = paths
    .filter((p) => p.root === 'steps' && typeof p.segments[0] === 'string')
    .map((p) => String(p.segments[0]));
  return [...new Set(ids)];
}

/**
 * The dependencies of every main step: its `needs` plus the steps its templates read (a step that
 * uses `{{ steps.a.output }}` runs after `a` even without `needs: [a]`). Ids that are not main
 * steps are left out here (validation reports them).
 */
export function stepDependencies(spec: PipelineHandlerSpec): Map<string, Set<string>> {
  const ids = new Set(spec.steps.map((s) => s.id));
  const deps = new Map<string, Set<string>>();
  for (const step of spec.steps) {
    const all = [...step.needs, ...referencedSteps(step)].filter((d) => ids.has(d) && d !== step.id);
    deps.set(step.id, new Set(all));
  }
  return deps;
}

/** Finds one cycle (as a path `a -> b -> a`) in a dependency map, or undefined. Self-loops count. */
export function findCycle(deps: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const color = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    color.set(id, 'grey');
    stack.push(id);
    for (const d of [...(deps.get(id) ?? [])].sort()) {
      if (!deps.has(d)) continue;
      const c = color.get(d);
      if (c === 'grey') return [...stack.slice(stack.indexOf(d)), d];
      if (c === undefined) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    color.set(id, 'black');
    return undefined;
  };
  for (const id of deps.keys()) {
    if (color.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Kahn layers: layer 0 holds the steps without dependencies, layer n the steps whose dependencies
 * are all in earlier layers; order inside a layer follows the spec. Assumes no cycle (steps on a
 * cycle are left out).
 */
export function topologicalLayers(spec: PipelineHandlerSpec): string[][] {
  const deps = stepDependencies(spec);
  const placed = new Set<string>();
  const layers: string[][] = [];
  for (;;) {
    const layer = spec.steps
      .map((s) => s.id)
      .filter((id) => !placed.has(id) && [...(deps.get(id) ?? [])].every((d) => placed.has(d)));
    if (layer.length === 0) return layers;
    for (const id of layer) placed.add(id);
    layers.push(layer);
  }
}
