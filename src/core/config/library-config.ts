import { z } from 'zod';

/**
 * The document library (`library.*` skills).
 *
 * - `allowed_paths`: absolute folders besides `$SKILLGATE_HOME/attachments` that `library.ingest` may
 *   read files from (default none). Paths are resolved (symlinks too) and refused outside these roots.
 * - `max_bytes`: the largest file or text accepted (default 10 MiB).
 * - `chunk_size` / `chunk_overlap`: characters per chunk and shared between neighbours (1000 / 150).
 */
export const LibraryConfigSchema = z
  .object({
    allowed_paths: z.array(z.string().min(1)).default([]),
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    chunk_size: z.number().int().min(200).max(8000).default(1000),
    chunk_overlap: z.number().int().min(0).max(2000).default(150),
  })
  .refine((c) => c.chunk_overlap < c.chunk_size, {
    message: 'library.chunk_overlap must be below chunk_size',
  })
  .default({ allowed_paths: [], max_bytes: 10 * 1024 * 1024, chunk_size: 1000, chunk_overlap: 150 });
export type LibraryConfig = z.infer<typeof LibraryConfigSchema>;
