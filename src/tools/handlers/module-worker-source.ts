/**
 * The bootstrap of a module handler's worker, evaluated with `new Worker(code, {eval: true})` so
 * that it works the same from `src/` (tsx, vitest) and from the compiled `dist/`. It imports the
 * skill module, calls the requested export with the cloned input and context, and posts one
 * message: `{ok: true, value}` or `{ok: false, missing?, message}`.
 */
export const MODULE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  let mod;
  try {
    mod = await import(workerData.url);
  } catch (err) {
    parentPort.postMessage({ ok: false, message: 'cannot load the module: ' + (err && err.message || String(err)) });
    return;
  }
  const fn = mod[workerData.fn] ?? (mod.default && mod.default[workerData.fn]);
  if (typeof fn !== 'function') {
    parentPort.postMessage({ ok: false, missing: true, message: 'the module does not export a function "' + workerData.fn + '"' });
    return;
  }
  let value;
  try {
    value = await fn(workerData.input, workerData.ctx);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    parentPort.postMessage({ ok: false, message: message, name: err && err.name });
    return;
  }
  try {
    parentPort.postMessage({ ok: true, value: value });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: 'the result cannot be cloned (functions, symbols, class instances with private state?): ' + (err && err.message) });
  }
})();
`;
