import type { EngineEvent, EngineEventType, EventListener } from './events.js';

/**
 * Collects the events of one run: delivers each at once to live listeners (progress, metrics,
 * logs) and keeps them for one batched insert when the run is recorded.
 */
export class EventCollector {
  private buffer: EngineEvent[] = [];
  runId?: string;
  skillId?: string;

  constructor(
    readonly requestId: string,
    readonly tenant: string,
    private readonly listeners: (EventListener | undefined)[],
    private readonly clock: () => Date,
  ) {}

  emit(type: EngineEventType, data: Record<string, unknown> = {}): void {
    const event: EngineEvent = {
      type,
      requestId: this.requestId,
      runId: this.runId,
      tenant: this.tenant,
      skillId: this.skillId,
      ts: this.clock(),
      data,
    };
    this.buffer.push(event);
    for (const l of this.listeners) {
      if (!l) continue;
      try {
        l(event);
      } catch {
        // A failing listener must never break a run.
      }
    }
  }

  /** Takes the buffered events (for persistence), stamping the run id on all of them. */
  drain(): EngineEvent[] {
    const out = this.buffer.map((e) => ({ ...e, runId: e.runId ?? this.runId }));
    this.buffer = [];
    return out;
  }
}
