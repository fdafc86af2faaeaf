import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { z } from 'zod';
import { SequenceStateSchema } from './table-catalog.js';

/**
 * The portable logical backup format (gzip'd JSON lines), the same for PGlite and Postgres, so a
 * backup taken on one restores on the other:
 *
 * 1. a header line (`BackupHeaderSchema`): format version, schema version, tables, sequences;
 * 2. per table, in foreign-key-safe order: a table line (`{"table":{"schema","name"}}`) followed by
 *    one line per row, `{"r":<row>}`, where `<row>` is Postgres' own `row_to_json` text (numbers
 *    keep every digit, timestamps keep microseconds and offset, vectors and bytea are strings;
 *    a `json` (not `jsonb`) value keeps its text except that line breaks between tokens become
 *    spaces, so that every row stays on one line);
 * 3. a trailer line (`BackupTrailerSchema`) with the row count of every table. A file without it
 *    is truncated and is refused.
 */
export const BACKUP_FORMAT = 'skillgate-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** Prefix of a row line; the row JSON follows, then one closing `}`. */
export const ROW_PREFIX = '{"r":';

const TableRefSchema = z.object({ schema: z.string(), name: z.string() });

export const BackupHeaderSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_FORMAT_VERSION),
  /** Highest applied migration of the source database (`schema_migrations`), 0 if none. */
  schemaVersion: z.number().int().min(0),
  createdAt: z.string(),
  /** The source backend kind (`pglite` or `postgres`); informational. */
  source: z.string(),
  schemas: z.array(z.string()).min(1),
  tables: z.array(TableRefSchema.extend({ columns: z.array(z.string()) })),
  sequences: z.array(SequenceStateSchema),
});
export type BackupHeader = z.infer<typeof BackupHeaderSchema>;

export const BackupTableLineSchema = z.object({ table: TableRefSchema }).strict();

export const BackupTrailerSchema = z
  .object({
    end: z.literal(true),
    tables: z.array(TableRefSchema.extend({ rows: z.number().int().min(0) })),
  })
  .strict();
export type BackupTrailer = z.infer<typeof BackupTrailerSchema>;

export const TableCountSchema = z.object({ table: z.string(), rows: z.number().int().min(0) });
export type TableCount = z.infer<typeof TableCountSchema>;

export const BackupInfoSchema = z.object({
  file: z.string(),
  formatVersion: z.number().int(),
  schemaVersion: z.number().int(),
  /** Row counts per table (`schema.name`), in the order they were written. */
  tables: z.array(TableCountSchema),
  rows: z.number().int(),
  /** Size of the compressed file. */
  bytes: z.number().int(),
  durationMs: z.number(),
});
export type BackupInfo = z.infer<typeof BackupInfoSchema>;

export const RestoreInfoSchema = z.object({
  file: z.string(),
  formatVersion: z.number().int(),
  /** Schema version recorded in the backup (never newer than the database's). */
  schemaVersion: z.number().int(),
  source: z.string(),
  createdAt: z.string(),
  tables: z.array(TableCountSchema),
  rows: z.number().int(),
  durationMs: z.number(),
});
export type RestoreInfo = z.infer<typeof RestoreInfoSchema>;

/** A gzip'd line writer that respects back-pressure, so big tables never sit in memory. */
export class LineWriter {
  private readonly gzip = createGzip();
  private readonly done: Promise<void>;
  private failure: Error | null = null;

  constructor(file: string) {
    this.done = pipeline(this.gzip, createWriteStream(file));
    // Remembered for `write`; also surfaced by `close`. Never unhandled.
    this.done.catch((err: Error) => {
      this.failure = err;
    });
  }

  /** Rejects as soon as the file cannot be written (never waits for a `drain` that cannot come). */
  async write(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.gzip.write(`${line}\n`)) await Promise.race([once(this.gzip, 'drain'), this.done]);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.gzip.end();
    await this.done;
  }

  /** Stops writing after a failure (the caller removes the file). */
  abort(): void {
    this.gzip.destroy();
  }
}

/** The lines of a gzip'd file, read as a stream; a truncated or corrupt gzip stream throws. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const piping = pipeline(createReadStream(file), gunzip);
  piping.catch(() => {});
  gunzip.setEncoding('utf8');
  let rest = '';
  for await (const chunk of gunzip as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      yield text.slice(start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  await piping;
  if (rest.length > 0) yield rest;
}
