import { SkillgateError } from '../../core/errors.js';
import type { Queryable } from '../../db/db.js';
import { restrictionPresets } from './restriction-presets.js';
import { parseRestrictionSet, type RestrictionSet } from './restriction-set.js';

export interface StoredRestrictionSet {
  id: string;
  version: string;
  title: string | null;
  rules: number;
  source: 'preset' | 'custom';
  createdBy: string | null;
  updatedAt: Date | null;
}

function summary(
  set: RestrictionSet,
  source: 'preset' | 'custom',
  row?: Record<string, unknown>,
): StoredRestrictionSet {
  return {
    id: set.id,
    version: set.version,
    title: set.title ?? null,
    rules: set.rules.length,
    source,
    createdBy: (row?.created_by as string | null) ?? null,
    updatedAt: (row?.updated_at as Date | null) ?? null,
  };
}

/**
 * Saves a custom restriction set for a tenant (replacing an earlier set with the same id). A preset
 * id cannot be taken by a custom set.
 */
export async function saveRestrictionSet(
  db: Queryable,
  tenant: string,
  set: RestrictionSet,
  createdBy?: string,
): Promise<StoredRestrictionSet> {
  if (restrictionPresets().has(set.id)) {
    throw new SkillgateError(
      'code.restriction_set_invalid',
      `"${set.id}" is a shipped preset; give the custom set another id.`,
      { id: set.id },
    );
  }
  const { rows } = await db.query(
    `INSERT INTO code_restriction_sets (tenant, id, version, definition, created_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant, id) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition,
       created_by = EXCLUDED.created_by, updated_at = now()
     RETURNING created_by, updated_at`,
    [tenant, set.id, set.version, JSON.stringify(set), createdBy ?? null],
  );
  return summary(set, 'custom', rows[0]);
}

/** Presets first, then the tenant's custom sets, by id. */
export async function listRestrictionSets(db: Queryable, tenant: string): Promise<StoredRestrictionSet[]> {
  const presets = [...restrictionPresets().values()].map((s) => summary(s, 'preset'));
  const { rows } = await db.query(
    'SELECT definition, created_by, updated_at FROM code_restriction_sets WHERE tenant = $1 ORDER BY id',
    [tenant],
  );
  return [
    ...presets,
    ...rows.map((r) => summary(parseRestrictionSet(r.definition, 'stored set'), 'custom', r)),
  ];
}

/**
 * A restriction set by id: the tenant's custom set, else a shipped preset; throws
 * `code.restriction_set_not_found`.
 */
export async function getRestrictionSet(db: Queryable, tenant: string, id: string): Promise<RestrictionSet> {
  const { rows } = await db.query(
    'SELECT definition FROM code_restriction_sets WHERE tenant = $1 AND id = $2',
    [tenant, id],
  );
  if (rows[0]) return parseRestrictionSet(rows[0].definition, `stored set ${id}`);
  const preset = restrictionPresets().get(id);
  if (preset) return preset;
  const known = [...restrictionPresets().keys()].join(', ');
  throw new SkillgateError(
    'code.restriction_set_not_found',
    `No restriction set "${id}" (presets: ${known}; custom sets: \`skillgate restrictions list\`).`,
    { id },
  );
}
