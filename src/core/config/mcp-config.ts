import { z } from 'zod';
import { DurationSchema } from '../duration.js';

/**
 * The MCP server (`skillgate mcp` over stdio, `/mcp` over Streamable HTTP).
 *
 * - `rate_limit`: requests per bearer token on `/mcp`, per replica: a burst and a sustained rate
 *   (default 120 in a burst, 30 per second). Over it: 429 with `Retry-After`.
 * - `elicitation_timeout`: how long a tool call waits for the user to answer an approval form before
 *   it returns `approval_required` instead (default 10 minutes).
 * - `token_cache`: how long a verified bearer token is trusted before it is looked up again
 *   (default 2 s; 0 looks it up on every request). A revocation takes effect within this time.
 */
export const McpConfigSchema = z
  .object({
    rate_limit: z
      .object({ burst: z.number().int().min(1), per_second: z.number().positive() })
      .default({ burst: 120, per_second: 30 }),
    elicitation_timeout: DurationSchema.default(600_000),
    token_cache: DurationSchema.default(2_000),
  })
  .default({ rate_limit: { burst: 120, per_second: 30 }, elicitation_timeout: 600_000, token_cache: 2_000 });
export type McpConfig = z.infer<typeof McpConfigSchema>;
