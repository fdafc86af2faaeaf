/**
 * Calls `fn` until it returns a value other than undefined, with backoff (5 ms doubling to 250 ms)
 * for at most `timeoutMs` (default 5000); then resolves undefined. Used where the engine announces
 * something (an event) a moment before its transaction commits.
 */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
}
