import type { Config } from '../../core/config/config-schema.js';
import type { Queryable } from '../../db/db.js';

export type EntityKind = 'company' | 'person' | 'city' | 'owner' | 'service';

/** A known entity mentioned in a text: where, and its canonical value. */
export interface EntityMention {
  kind: EntityKind;
  value: string;
  start: number;
  end: number;
  /** For a person: their e-mail address (identifies them where no name field exists). */
  email?: string;
}

/** Known entity names: the demo business data of the tenant and the configured services. */
export interface EntityCatalog {
  companies: string[];
  people: string[];
  cities: string[];
  owners: string[];
  services: string[];
  /** E-mail address of each person. */
  emails: Record<string, string>;
}

const GENERIC = new Set([
  'corp',
  'corporation',
  'company',
  'industries',
  'enterprises',
  'systems',
  'science',
  'trading',
  'data',
  'design',
  'energie',
  'imports',
  'logistique',
  'analytics',
  'robotics',
  'freight',
  'hoteles',
  'black',
  'massive',
  'sol',
  'brown',
  'costa',
  'atelier',
  'fjord',
  'rossi',
  'the',
]);

/** Loads the catalogue (demo customers of `tenant`, services of the config). Missing tables give empty lists. */
export async function loadEntityCatalog(
  q: Queryable,
  config: Config,
  tenant: string,
): Promise<EntityCatalog> {
  try {
    const r = await q.query<{
      company: string;
      name: string;
      email: string;
      city: string;
      account_owner: string | null;
    }>('SELECT company, name, email, city, account_owner FROM demo.customers WHERE tenant = $1', [tenant]);
    const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))];
    return {
      companies: uniq(r.rows.map((x) => x.company)),
      people: uniq(r.rows.map((x) => x.name)),
      cities: uniq(r.rows.map((x) => x.city)),
      owners: uniq(r.rows.map((x) => x.account_owner)),
      services: Object.keys(config.services),
      emails: Object.fromEntries(r.rows.map((x) => [x.name, x.email])),
    };
  } catch {
    return {
      companies: [],
      people: [],
      cities: [],
      owners: [],
      services: Object.keys(config.services),
      emails: {},
    };
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Aliases a name may be mentioned by: the full name; for companies a distinctive first word; for people the last name. */
function aliases(kind: EntityKind, name: string): string[] {
  const out = [name];
  const words = name.split(/\s+/);
  if (kind === 'company' && words.length > 1) {
    const first = words[0];
    if (first.length >= 4 && !GENERIC.has(first.toLowerCase())) out.push(first);
  }
  if (kind === 'person' && words.length > 1) {
    const last = words[words.length - 1];
    if (last.length >= 4) out.push(last);
  }
  if (kind === 'service') out.push(name.replace(/[-_]/g, ' '));
  return out;
}

/**
 * Every non-overlapping mention of a known entity in `text`, case-insensitive on word boundaries,
 * longest first (so "Umbrella Corporation" wins over "Umbrella"). A person's last name alone
 * counts only when written with a capital letter.
 */
export function findEntities(text: string, catalog: EntityCatalog): EntityMention[] {
  const candidates: { kind: EntityKind; value: string; alias: string; capital: boolean }[] = [];
  const add = (kind: EntityKind, names: string[]) => {
    for (const n of names) {
      for (const a of aliases(kind, n))
        candidates.push({ kind, value: n, alias: a, capital: kind === 'person' && a !== n });
    }
  };
  add('owner', catalog.owners);
  add('company', catalog.companies);
  add('person', catalog.people);
  add('city', catalog.cities);
  add('service', catalog.services);
  candidates.sort((a, b) => b.alias.length - a.alias.length);
  const taken: EntityMention[] = [];
  for (const c of candidates) {
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(c.alias)}(?![\\p{L}\\p{N}])`, 'giu');
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (c.capital && !/^\p{Lu}/u.test(m[0])) continue;
      if (taken.some((t) => start < t.end && end > t.start)) continue;
      const email = c.kind === 'person' ? catalog.emails[c.value] : undefined;
      taken.push({ kind: c.kind, value: c.value, start, end, ...(email ? { email } : {}) });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}
