/** One request a fake platform API received. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** `performance.now()` when it arrived. */
  at: number;
  /** What the fake answered (set just after recording). */
  response?: Record<string, unknown>;
}

/** Records calls and lets tests wait for one (event-driven: no polling, no fixed sleeps). */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];
  private waiters: { match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];

  record(method: string, args: Record<string, unknown>): RecordedCall {
    const call = { method, args, at: performance.now() };
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(call)) return true;
      w.resolve(call);
      return false;
    });
    return call;
  }

  of(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The first call (already recorded, or the next one) matching; rejects after `timeoutMs`. */
  waitFor(match: (c: RecordedCall) => boolean, timeoutMs = 10_000, from = 0): Promise<RecordedCall> {
    const seen = this.calls.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `no matching call within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const done = (c: RecordedCall) => {
        clearTimeout(t);
        resolve(c);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Waits for the next call of `method` matching `match`, counting only calls from now on. */
  next(
    method: string,
    match: (c: RecordedCall) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<RecordedCall> {
    return this.waitFor((c) => c.method === method && match(c), timeoutMs, this.calls.length);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
