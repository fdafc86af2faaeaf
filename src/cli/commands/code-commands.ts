import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyManifest } from '../../code/provenance/manifest.js';
import { parseRestrictionSetText } from '../../code/restrictions/restriction-set.js';
import {
  getRestrictionSet,
  listRestrictionSets,
  saveRestrictionSet,
} from '../../code/restrictions/restriction-store.js';
import { SkillgateError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../cli-context.js';

/** `skillgate restrictions add FILE | list | show ID` and `skillgate provenance verify MANIFEST`. */
export function registerCodeCommands(program: Command, ctx: CliContext): void {
  const restrictions = program
    .command('restrictions')
    .description('Restriction sets for code.check_restrictions and code.compile');

  restrictions
    .command('add')
    .description('Validate a restriction set (YAML or JSON) and store it for your tenant')
    .argument('<file>', 'restriction set file')
    .action(async (file: string) => {
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new SkillgateError('code.restriction_set_invalid', `Cannot read ${file}.`, { file });
      }
      const set = parseRestrictionSetText(text, file);
      const app = await ctx.openApp();
      const principal = ctx.principal();
      const saved = await saveRestrictionSet(app.db, principal.tenant, set, principal.id);
      if (ctx.json) return ctx.printJson(saved);
      ctx.out(
        `restriction set ${saved.id} ${saved.version} saved (${saved.rules} rules) for tenant ${principal.tenant}`,
      );
    });

  restrictions
    .command('list')
    .description("List the presets and your tenant's custom restriction sets")
    .action(async () => {
      const app = await ctx.openApp();
      const list = await listRestrictionSets(app.db, ctx.principal().tenant);
      if (ctx.json) return ctx.printJson(list);
      ctx.table(
        list.map((s) => ({
          id: s.id,
          version: s.version,
          source: s.source,
          rules: s.rules,
          title: s.title ?? '',
        })),
      );
    });

  restrictions
    .command('show')
    .description('Show a restriction set with its rules')
    .argument('<id>', 'preset or custom set id')
    .action(async (id: string) => {
      const app = await ctx.openApp();
      const set = await getRestrictionSet(app.db, ctx.principal().tenant, id);
      if (ctx.json) return ctx.printJson(set);
      ctx.out(`${set.id} ${set.version}${set.title ? ` - ${set.title}` : ''}`);
      ctx.table(
        set.rules.map((r) => ({
          rule: r.id,
          enforcement: r.enforcement,
          severity: r.severity,
          detector: r.detector.type,
          languages: r.languages?.join(',') ?? 'all',
          description: r.description,
        })),
      );
    });

  const provenance = program.command('provenance').description('Provenance manifests of code.compile');
  provenance
    .command('verify')
    .description("Check a manifest's Ed25519 signature and every artifact's SHA-256")
    .argument('<manifest>', 'manifest.json of a build')
    .action(async (file: string) => {
      const home = ctx.env.SKILLGATE_HOME ?? ctx.config.home;
      const r = verifyManifest(resolve(ctx.cwd, file), { home: resolve(ctx.cwd, home) });
      if (ctx.json) ctx.printJson(r);
      else {
        ctx.out(
          `signature: ${r.signatureValid ? 'valid' : 'INVALID'} (key ${r.keyId}${r.trustedKey ? ", this installation's key" : ", not this installation's key"})`,
        );
        for (const a of r.artifacts)
          ctx.out(`  ${a.ok ? 'ok  ' : 'FAIL'} ${a.path}${a.problem ? `: ${a.problem}` : ''}`);
        ctx.out(r.valid ? 'manifest verified' : `manifest NOT verified: ${r.problems.join('; ')}`);
      }
      if (!r.valid) ctx.exitCode = EXIT.failed;
    });
}
