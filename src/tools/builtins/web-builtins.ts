import type { BuiltinHandler } from '../handler.js';
import { webFetchBuiltin } from './web/web-fetch.js';

/** Builtin handlers of the `web` pack (`skills/web/*.yaml`), by skill id. */
export const webBuiltins: Record<string, BuiltinHandler> = {
  'web.fetch': webFetchBuiltin,
};
