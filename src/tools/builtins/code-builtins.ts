import { resolve } from 'node:path';
import {
  CANONICALIZER_VERSION,
  type CanonicalLevel,
  canonicalize,
} from '../../code/canonical/canonicalize.js';
import { compileSpec } from '../../code/compile/compile-spec.js';
import { previewCompile } from '../../code/compile/preview-compile.js';
import { requireLanguage } from '../../code/parsing/parse-code.js';
import { resolveContract } from '../../code/repeatability/contract.js';
import { measureRepeatability } from '../../code/repeatability/measure-repeatability.js';
import { listRepeatability, saveRepeatability } from '../../code/repeatability/repeatability-store.js';
import { checkRestrictions } from '../../code/restrictions/check-restrictions.js';
import { parseRestrictionSet, type RestrictionSet } from '../../code/restrictions/restriction-set.js';
import { getRestrictionSet } from '../../code/restrictions/restriction-store.js';
import { BACKEND_IDS, type BackendId } from '../../code/spec/backends.js';
import { checkSpec } from '../../code/spec/check-spec.js';
import type { BuiltinHandler, HandlerContext } from '../handler.js';

/**
 * One completion for a sampling prompt, drawn for (and charged to) the skill run in `ctx`: its
 * principal's budget, its run id on the ledger rows.
 */
export type RunGenerateFn = (
  ctx: HandlerContext,
  prompt: string,
  options: { temperature: number; signal?: AbortSignal },
) => Promise<string>;

export interface CodeBuiltinsOptions {
  /**
   * The model seam for `code.repeatability` when no samples are supplied. The composition root
   * (`createApp`) wires the configured model here; without it, callers must supply samples
   * (`code.samples_required`).
   */
  generate?: RunGenerateFn;
}

async function restrictionSetOf(
  ctx: HandlerContext,
  id: unknown,
  inline?: unknown,
): Promise<RestrictionSet | undefined> {
  if (inline && typeof inline === 'object') return parseRestrictionSet(inline, 'input.restrictions');
  if (typeof id === 'string' && id) return getRestrictionSet(ctx.db, ctx.tenant, id);
  return undefined;
}

function compileInput(ctx: HandlerContext) {
  const input = ctx.input as {
    spec: unknown;
    backends?: string[];
    restriction_set?: string;
    use_cache?: boolean;
  };
  const spec = checkSpec(input.spec);
  const backends = (input.backends?.length ? [...new Set(input.backends)] : BACKEND_IDS) as BackendId[];
  return { input, spec, backends };
}

/** Builtin handlers of the `code` pack (`skills/code/*.yaml`), by skill id. */
export function createCodeBuiltins(options: CodeBuiltinsOptions = {}): Record<string, BuiltinHandler> {
  return {
    'code.canonicalize': {
      async run(ctx) {
        const input = ctx.input as { code: string; language: string; level?: CanonicalLevel };
        const r = await canonicalize(input.code, requireLanguage(input.language), input.level ?? 'structure');
        return { output: { ...r, canonicalizer_version: CANONICALIZER_VERSION } };
      },
    },
    'code.check_restrictions': {
      async run(ctx) {
        const input = ctx.input as {
          code: string;
          language: string;
          restriction_set?: string;
          restrictions?: unknown;
        };
        const set = await restrictionSetOf(
          ctx,
          input.restriction_set ?? 'nasa-power-of-ten',
          input.restrictions,
        );
        return { output: await checkRestrictions(input.code, requireLanguage(input.language), set!) };
      },
    },
    'code.repeatability': {
      async run(ctx) {
        const input = ctx.input as {
          contract: unknown;
          samples?: string[];
          n?: number;
          temperature?: number;
          level?: CanonicalLevel;
          restriction_set?: string;
        };
        const contract = resolveContract(input.contract);
        const set = await restrictionSetOf(ctx, input.restriction_set ?? contract.restriction_set);
        const sampling = !input.samples?.length && options.generate !== undefined;
        if (sampling && ctx.mode === 'dry_run') {
          // A dry run never spends on the model: it says what the run would draw.
          return {
            output: {
              dry_run: true,
              contract: contract.id,
              would_sample: input.n ?? 10,
              temperature: input.temperature ?? 0.7,
            },
          };
        }
        const generate = options.generate;
        const report = await measureRepeatability({
          contract,
          samples: input.samples,
          generate: generate && ((prompt, o) => generate(ctx, prompt, o)),
          n: input.n,
          temperature: input.temperature,
          level: input.level,
          restrictionSet: set,
          signal: ctx.signal,
        });
        const id = await saveRepeatability(ctx.db, ctx.tenant, report, ctx.runId);
        const [previous] = await listRepeatability(ctx.db, ctx.tenant, contract.id, {
          level: report.level,
          limit: 1,
          excludeId: id,
        });
        const delta = previous
          ? Object.fromEntries(
              (['R_raw', 'R_anchor_pre', 'R_anchor_post', 'Delta_rescue', 'pass_rate'] as const).map((k) => [
                k,
                Math.round((report.metrics[k] - previous.metrics[k]) * 1e6) / 1e6,
              ]),
            )
          : null;
        return {
          output: {
            id,
            ...report,
            restriction_set: set?.id ?? null,
            previous: previous
              ? { id: previous.id, created_at: previous.createdAt, metrics: previous.metrics, delta }
              : null,
          },
        };
      },
    },
    'code.compile': {
      async preview(ctx) {
        const { input, spec, backends } = compileInput(ctx);
        if (input.restriction_set) await getRestrictionSet(ctx.db, ctx.tenant, input.restriction_set);
        return previewCompile(spec, backends, input.restriction_set);
      },
      async run(ctx) {
        const { input, spec, backends } = compileInput(ctx);
        const result = await compileSpec({
          spec,
          backends,
          db: ctx.db,
          tenant: ctx.tenant,
          home: resolve(ctx.config.home),
          restrictionSet: await restrictionSetOf(ctx, input.restriction_set),
          useCache: input.use_cache ?? true,
          signal: ctx.signal,
        });
        return { output: result };
      },
    },
  };
}

/** The `code` builtins without a model (sampling needs samples from the caller). */
export const codeBuiltins: Record<string, BuiltinHandler> = createCodeBuiltins();
