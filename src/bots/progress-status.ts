import type { AgentEvent } from '../agents/agent-types.js';
import { formatAgentEvent } from '../agents/format-agent-event.js';
import type { EngineEvent } from '../core/events.js';
import type { ChatMessage, PostedMessage, StatusSink } from './chat-message.js';

export interface ProgressStatusOptions {
  /** Minimum time between two edits (platform rate limits); default 400 ms. */
  minIntervalMs?: number;
  /** Called when an edit fails (progress is best effort; the run goes on). */
  onError?: (err: unknown) => void;
}

/**
 * One status message edited as a request progresses (routing, policy, approval, pipeline steps,
 * execution). Edits never overlap and come at most every `minIntervalMs`: intermediate states are
 * skipped, the latest one is always shown. `finish` waits for the last edit, then shows the end.
 */
export class ProgressStatus {
  private readonly lines = new Map<string, string>();
  private rootRun?: string;
  private dirty = false;
  private loop?: Promise<void>;
  private lastShown = 0;
  private closed = false;
  private wake?: () => void;
  posted?: PostedMessage;

  constructor(
    private readonly sink: StatusSink,
    private readonly title: string,
    private readonly options: ProgressStatusOptions = {},
  ) {}

  /** Shows the first state ("working on it"); returns the message. */
  async start(): Promise<PostedMessage | undefined> {
    this.lastShown = Date.now();
    this.posted = await this.sink.show(this.render());
    return this.posted;
  }

  /** Feed every engine event of the request here (`RunRequest.onEvent`). */
  onEvent = (e: EngineEvent): void => {
    if (this.closed) return;
    if (e.type === 'request_received' && !this.rootRun) this.rootRun = e.runId;
    const own = !this.rootRun || e.runId === this.rootRun;
    const d = e.data;
    switch (e.type) {
      case 'routing_decision':
        if (own && d.skill)
          this.lines.set('route', `🧭 ${d.skill} (confidence ${Number(d.confidence ?? 0).toFixed(2)})`);
        break;
      case 'policy_decision':
        if (own) this.lines.set('policy', d.allowed ? '🛡️ allowed by policy' : '🛡️ refused by policy');
        break;
      case 'approval_requested':
        if (own) this.lines.set('approval', '🛂 needs approval');
        break;
      case 'step_progress':
        this.lines.set(`step:${d.step}`, `• ${d.step} (${d.skill}): ${d.status}`);
        break;
      case 'execution_started':
        if (own)
          this.lines.set('exec', Number(d.attempt) > 1 ? `▶️ running (attempt ${d.attempt})` : '▶️ running');
        break;
      default:
        return;
    }
    this.dirty = true;
    this.loop ??= this.flush().finally(() => {
      this.loop = undefined;
    });
  };

  /** Feed every agent event of an ask here (`AskRequest.onAgentEvent`): plan and step lines. */
  onAgentEvent = (e: AgentEvent): void => {
    if (this.closed) return;
    const d = e.data;
    if (e.type === 'step_started' || e.type === 'step_finished' || e.type === 'waiting_approval') {
      if (d.step === undefined) return;
      const status =
        e.type === 'step_started'
          ? 'running'
          : e.type === 'waiting_approval'
            ? 'waits for approval'
            : d.status;
      this.lines.set(`step:${d.step}`, `• ${d.step} (${d.skill ?? 'step'}): ${String(status)}`);
    } else if (e.type === 'plan_created') {
      const line = formatAgentEvent(e);
      if (!line) return;
      this.lines.set('plan', `🧭 ${line.trim()}`);
    } else return;
    this.dirty = true;
    this.loop ??= this.flush().finally(() => {
      this.loop = undefined;
    });
  };

  /** Waits for the edit in flight and shows `message` as the final state. */
  async finish(message: ChatMessage): Promise<void> {
    this.closed = true;
    this.dirty = false;
    this.wake?.();
    await this.loop;
    await this.sink.show({ ...message, lines: [...(message.lines ?? []), ...this.steps()] });
  }

  private steps(): string[] {
    return [...this.lines].filter(([k]) => k.startsWith('step:')).map(([, v]) => v);
  }

  private render(): ChatMessage {
    return { text: `⏳ ${this.title}`, tone: 'neutral', lines: [`⏳ ${this.title}`, ...this.lines.values()] };
  }

  private async flush(): Promise<void> {
    const interval = this.options.minIntervalMs ?? 400;
    while (this.dirty && !this.closed) {
      const wait = this.lastShown + interval - Date.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
      if (this.closed) return;
      this.dirty = false;
      this.lastShown = Date.now();
      try {
        await this.sink.show(this.render());
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}
