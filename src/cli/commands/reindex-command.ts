import type { Command } from 'commander';
import { createConfiguredEmbedder, createSkillRegistry, openConfiguredDb } from '../../core/app.js';
import { SkillgateError } from '../../core/errors.js';
import { SecretStore } from '../../core/secrets.js';
import type { Db } from '../../db/db.js';
import { migrate, migrationsUpToDate } from '../../db/migrate.js';
import type { Embedder } from '../../memory/embedders/embedder.js';
import { isRoutable, SkillIndex } from '../../memory/routing/skill-index.js';
import { BUILTIN_TARGETS } from '../../memory/vector/builtin-targets.js';
import { recordEmbedder, storedEmbedder } from '../../memory/vector/embedding-meta.js';
import { type ReindexProgress, reindex } from '../../memory/vector/reindex.js';
import { freshSkills, routingFeedbackTarget } from '../../memory/vector/routing-targets.js';
import type { Skill } from '../../tools/skill.js';
import type { CliContext } from '../cli-context.js';

/** What `skillgate reindex [--dry-run] --json` prints. */
export interface ReindexSummary {
  embedder: string;
  dims: number;
  dryRun: boolean;
  seconds: number;
  targets: {
    target: string;
    /** Rows of the table (skills: routable skills). */
    total: number;
    /** Rows whose vectors were not made by the configured embedder before this run. */
    stale: number;
    /** Rows re-embedded by this run (0 on a dry run). */
    reindexed: number;
    /** What `embedding_meta` recorded before this run (null: nothing). */
    previous: string | null;
    indexRebuilt: boolean;
  }[];
}

interface ReindexCommandOptions {
  dryRun?: boolean;
  batchSize?: number;
}

/** The vector targets besides skills, in the order they are rebuilt. */
const TARGETS = [...BUILTIN_TARGETS, routingFeedbackTarget];

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new SkillgateError('request.invalid', `--batch-size must be a positive integer, not "${v}".`);
  return n;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en');

function fmtSecs(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/**
 * Progress on stderr: on a terminal one redrawn bar per target (done/total, rate, ETA), otherwise
 * one line per target and phase (none with `--json`, whose stdout is the summary).
 */
class ReindexProgressView {
  private started = 0;
  private lastDraw = 0;
  private target = '';

  constructor(
    private readonly ctx: CliContext,
    private readonly quiet: boolean,
  ) {}

  update(p: ReindexProgress): void {
    const now = performance.now();
    if (p.target !== this.target) {
      this.target = p.target;
      this.started = now;
      if (!this.ctx.interactive && !this.quiet)
        this.ctx.err(`${p.target}: ${p.total ? `${fmtInt(p.total)} to re-embed` : 'up to date'}`);
    }
    if (p.total === 0 && !this.ctx.interactive) return;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? p.done / secs : 0;
    if (p.phase === 'done') {
      const line = `✓ ${p.target.padEnd(16)} ${fmtInt(p.done)} rows in ${fmtSecs(secs)}${p.done && secs > 0 ? ` (${fmtInt(rate)}/s)` : ''}`;
      if (this.ctx.interactive) this.ctx.stderr.write(`\r\x1b[2K${line}\n`);
      else if (!this.quiet) this.ctx.err(`${p.target}: done, ${fmtInt(p.done)} rows in ${fmtSecs(secs)}`);
      return;
    }
    if (p.phase === 'indexing') {
      if (this.ctx.interactive)
        this.ctx.stderr.write(`\r\x1b[2K  ${p.target.padEnd(16)} building the HNSW index…`);
      else if (!this.quiet) this.ctx.err(`${p.target}: building the HNSW index`);
      return;
    }
    if (!this.ctx.interactive || (now - this.lastDraw < 100 && p.done < p.total)) return;
    this.lastDraw = now;
    const width = 24;
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const fill = Math.round(frac * width);
    const eta = rate > 0 ? (p.total - p.done) / rate : Number.POSITIVE_INFINITY;
    this.ctx.stderr.write(
      `\r\x1b[2K  ${p.target.padEnd(16)} [${'█'.repeat(fill)}${'░'.repeat(width - fill)}] ` +
        `${fmtInt(p.done)}/${fmtInt(p.total)}  ${fmtInt(rate)}/s  ETA ${p.done >= p.total ? '0s' : fmtSecs(eta)}`,
    );
  }
}

async function count(db: Db, table: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;
}

async function previousOf(db: Db, target: string): Promise<string | null> {
  const s = await storedEmbedder(db, target);
  return s ? `${s.embedder}/${s.dims}` : null;
}

/** Re-embeds the skills that are not indexed with `embedder` (or whose source changed), with progress. */
async function reindexSkills(
  db: Db,
  embedder: Embedder,
  skills: Skill[],
  pending: Skill[],
  view: ReindexProgressView,
): Promise<void> {
  const index = new SkillIndex(db, embedder);
  view.update({ target: 'skills', done: 0, total: pending.length, phase: 'embedding' });
  await index.upsert(pending, (done, total) =>
    view.update({ target: 'skills', done, total, phase: 'embedding' }),
  );
  await index.sync(skills); // drops skills that are gone from the registry
  await recordEmbedder(db, 'skills', embedder);
  view.update({ target: 'skills', done: pending.length, total: pending.length, phase: 'done' });
}

/**
 * `skillgate reindex [--dry-run] [--batch-size N]`: re-embeds skills, memories, library chunks and
 * routing feedback whose vectors were not made by the configured embedder, in batches of their own
 * transactions (rows keep their old vector until their batch commits, nothing is deleted). Ctrl-C
 * (or `stop`) stops between batches with `embedding.reindex_interrupted`; running it again resumes.
 */
export function registerReindexCommand(program: Command, ctx: CliContext, stop?: AbortSignal): void {
  program
    .command('reindex')
    .description(
      'Re-embed skills, memories and library chunks with the configured embedder (resumable; Ctrl-C stops between batches)',
    )
    .option('--dry-run', 'report what is stale without writing anything')
    .option('--batch-size <n>', 'rows per transaction (default 256)', positiveInt)
    .action(async (opts: ReindexCommandOptions) => {
      const config = ctx.config;
      const started = performance.now();
      const db = await openConfiguredDb(config);
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        if (++interrupts > 1) process.exit(130);
        if (!ctx.json) ctx.err('\nstopping after the current batch (Ctrl-C again to quit at once)…');
        controller.abort();
      };
      const onStop = () => controller.abort();
      process.on('SIGINT', onSigint);
      stop?.addEventListener('abort', onStop, { once: true });
      if (stop?.aborted) controller.abort();
      try {
        if (!opts.dryRun) await migrate(db);
        else if (!(await migrationsUpToDate(db)))
          throw new SkillgateError(
            'request.invalid',
            `${db.description} has pending migrations; run \`skillgate db migrate\` first (a dry run writes nothing).`,
          );
        const embedder = await createConfiguredEmbedder(config, new SecretStore(config.home));
        const current = { embedder: embedder.name, dims: embedder.dimensions };
        const registry = createSkillRegistry(config);
        registry.loadAll();
        const skills = registry.list();
        const routable = skills.filter(isRoutable);
        const fresh = await freshSkills(db, current);
        const pendingSkills = routable.filter((s) => fresh.get(s.id) !== s.hash);

        const summary: ReindexSummary = { ...current, dryRun: !!opts.dryRun, seconds: 0, targets: [] };
        summary.targets.push({
          target: 'skills',
          total: routable.length,
          stale: pendingSkills.length,
          reindexed: 0,
          previous: await previousOf(db, 'skills'),
          indexRebuilt: false,
        });
        for (const t of TARGETS) {
          summary.targets.push({
            target: t.target,
            total: await count(db, t.table),
            stale: await t.countPending(db, current),
            reindexed: 0,
            previous: await previousOf(db, t.target),
            indexRebuilt: false,
          });
        }
        if (!opts.dryRun) {
          const view = new ReindexProgressView(ctx, ctx.json);
          if (!ctx.json) ctx.err(`reindexing with ${embedder.name}/${embedder.dimensions}`);
          controller.signal.throwIfAborted();
          await reindexSkills(db, embedder, skills, pendingSkills, view);
          summary.targets[0].reindexed = pendingSkills.length;
          const r = await reindex(db, embedder, {
            targets: TARGETS,
            batchSize: opts.batchSize,
            signal: controller.signal,
            onProgress: (p) => {
              view.update(p);
              const row = summary.targets.find((x) => x.target === p.target);
              if (row) row.reindexed = p.done;
            },
          });
          for (const t of r.targets) {
            const row = summary.targets.find((x) => x.target === t.target);
            if (row) Object.assign(row, { reindexed: t.rows, indexRebuilt: t.indexRebuilt });
          }
        }
        summary.seconds = Math.round((performance.now() - started) / 100) / 10;
        if (ctx.json) return ctx.printJson(summary);
        const verb = opts.dryRun ? 'would re-embed' : 're-embedded';
        const n = summary.targets.reduce((a, t) => a + (opts.dryRun ? t.stale : t.reindexed), 0);
        ctx.table(
          summary.targets.map((t) => ({
            target: t.target,
            rows: t.total,
            stale: t.stale,
            ...(opts.dryRun ? {} : { reindexed: t.reindexed }),
            previous: t.previous ?? '-',
          })),
        );
        ctx.out(
          `${verb} ${fmtInt(n)} vectors with ${embedder.name}/${embedder.dimensions} (${summary.seconds}s)`,
        );
      } catch (err) {
        if (!controller.signal.aborted) throw err;
        throw new SkillgateError(
          'embedding.reindex_interrupted',
          'Reindex stopped between batches; re-embedded rows are kept. Run `skillgate reindex` again to resume.',
          {},
          { cause: err },
        );
      } finally {
        process.off('SIGINT', onSigint);
        stop?.removeEventListener('abort', onStop);
        await db.close();
      }
    });
}
