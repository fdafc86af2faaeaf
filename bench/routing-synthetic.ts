/** Synthetic skills for the routing benchmarks: deterministic (seeded by the count), 5 examples each. */
import type { Skill } from '../src/tools/skill.js';
import { parseSkillFile } from '../src/tools/skill-loader.js';

const WORDS = {
  verb: [
    'list',
    'create',
    'delete',
    'update',
    'show',
    'sync',
    'export',
    'import',
    'archive',
    'approve',
    'rotate',
    'scan',
    'count',
    'merge',
    'tag',
    'notify',
  ],
  noun: [
    'ticket',
    'order',
    'shipment',
    'lead',
    'contract',
    'asset',
    'license',
    'device',
    'alert',
    'incident',
    'payroll',
    'vendor',
    'budget',
    'campaign',
    'repository',
    'certificate',
    'backup',
    'invoice',
    'customer',
    'report',
    'meeting',
    'expense',
    'warehouse',
    'sensor',
  ],
  domain: [
    'sales',
    'support',
    'finance',
    'hr',
    'security',
    'logistics',
    'marketing',
    'devops',
    'legal',
    'facilities',
    'procurement',
    'research',
  ],
  extra: [
    'for a team',
    'by region',
    'older than a week',
    'in the staging area',
    'from the partner portal',
    'with high priority',
    'for the quarter',
    'that failed checks',
  ],
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` synthetic routable skills (same `n`, same skills). */
export function syntheticSkills(n: number): Skill[] {
  const r = rng(n);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const out: Skill[] = [];
  for (let i = 0; i < n; i++) {
    const v = pick(WORDS.verb);
    const no = pick(WORDS.noun);
    const d = pick(WORDS.domain);
    const examples = Array.from(
      { length: 5 },
      () => `${pick(WORDS.verb)} the ${d} ${no}s ${pick(WORDS.extra)}`,
    );
    const yaml = `id: syn${i}.${v}_${no}
version: 1.0.0
title: ${v} ${d} ${no}s ${i}
description: ${v[0].toUpperCase()}${v.slice(1)} ${no}s of the ${d} department ${pick(WORDS.extra)}; synthetic skill ${i}.
tags: [${d}, ${no}]
examples: ${JSON.stringify(examples)}
effects: read
risk: low
handler: { type: builtin, name: none }
`;
    const parsed = parseSkillFile(`synthetic-${i}.yaml`, yaml);
    if (!parsed.skill) throw new Error(parsed.problems.map((p) => p.reason).join('; '));
    out.push(parsed.skill);
  }
  return out;
}
