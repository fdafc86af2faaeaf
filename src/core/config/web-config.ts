import { z } from 'zod';

/**
 * The `web.fetch` skill's limits and address policy.
 *
 * - `allow_private`: allow private-range and link-local targets (10/8, 172.16/12, 192.168/16,
 *   169.254/16, 100.64/10, fc00::/7, fe80::/10, ...). Default false: the server never becomes a
 *   proxy into the network it runs in.
 * - `allow_loopback`: allow 127.0.0.0/8 and ::1 (the machine itself). Default false and separate
 *   from `allow_private`, because loopback reaches Skillgate's own server and local services.
 * - `max_bytes`: the largest response body read (default 2 MiB; bigger bodies are truncated).
 * - `timeout_ms`: the whole request, redirects included (default 10 s).
 * - `max_redirects`: redirects followed, each target re-checked against the policy (default 5).
 * - `user_agent`: sent with every request.
 */
export const WebConfigSchema = z
  .object({
    allow_private: z.boolean().default(false),
    allow_loopback: z.boolean().default(false),
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(2 * 1024 * 1024),
    timeout_ms: z.number().int().positive().max(120_000).default(10_000),
    max_redirects: z.number().int().min(0).max(20).default(5),
    user_agent: z.string().min(1).default('Skillgate/0.1 (web.fetch)'),
  })
  .default({
    allow_private: false,
    allow_loopback: false,
    max_bytes: 2 * 1024 * 1024,
    timeout_ms: 10_000,
    max_redirects: 5,
    user_agent: 'Skillgate/0.1 (web.fetch)',
  });
export type WebConfig = z.infer<typeof WebConfigSchema>;
