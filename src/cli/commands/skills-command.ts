import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { SkillgateError } from '../../core/errors.js';
import { skillFileJsonSchema } from '../../tools/skill-spec.js';
import { type CliContext, EXIT } from '../cli-context.js';
import { toYaml } from '../format/format-value.js';
import { isInside, loadRegistry } from '../load-registry.js';

/** `skillgate skills list|show|validate|schema` (no database needed). */
export function registerSkillsCommand(program: Command, ctx: CliContext): void {
  const skills = program.command('skills').description('List, inspect and validate skills');

  skills
    .command('list')
    .description('List the loaded skills (internal pipeline-only skills with --all)')
    .option('--all', 'include internal skills')
    .action((opts: { all?: boolean }) => {
      const registry = loadRegistry(ctx.config);
      const list = registry.list({ publicOnly: !opts.all });
      if (ctx.json) {
        ctx.printJson(
          list.map((s) => ({
            id: s.id,
            version: s.spec.version,
            title: s.spec.title,
            effects: s.spec.effects,
            risk: s.spec.risk,
            permissions: s.permissions,
            internal: s.spec.internal,
            tags: s.spec.tags,
          })),
        );
        return;
      }
      if (list.length === 0) {
        ctx.out('no skills loaded');
      } else {
        const rows = list.map((s) => ({
          id: s.id,
          risk: s.spec.risk,
          effects: s.spec.effects,
          title: s.spec.title,
        }));
        ctx.table(rows, { maxCell: 60 });
      }
      const problems = registry.problems().length;
      if (problems) ctx.err(`${problems} invalid skill file problem(s): run \`skillgate skills validate\``);
    });

  skills
    .command('show')
    .description('Show a skill: its YAML source and input schema')
    .argument('<id>', 'skill id')
    .action((id: string) => {
      const registry = loadRegistry(ctx.config);
      const skill = registry.get(id);
      if (!skill) throw new SkillgateError('skill.not_found', `No skill "${id}" is loaded.`, { skill: id });
      if (ctx.json) {
        ctx.printJson({ id: skill.id, file: skill.file, permissions: skill.permissions, spec: skill.spec });
        return;
      }
      ctx.out(`# ${skill.id} ${skill.spec.version}: ${skill.spec.title}`);
      ctx.out(`# file: ${relative(ctx.cwd, skill.file) || skill.file}`);
      ctx.out(
        `# effects: ${skill.spec.effects}, risk: ${skill.spec.risk}, permissions: ${skill.permissions.join(', ')}`,
      );
      ctx.out(skill.source.trimEnd());
      ctx.out('');
      ctx.out('# input schema');
      ctx.out(toYaml(skill.spec.input));
    });

  skills
    .command('validate')
    .description('Validate skill files; prints every problem as file:line: reason (exit 1 if any)')
    .argument('[dirs...]', 'pack folders (default: the shipped skills/ and config skills_dirs)')
    .action((given: string[]) => {
      const config = ctx.config;
      const dirs = given.map((d) => resolve(ctx.cwd, d));
      for (const d of dirs) {
        if (!existsSync(d)) throw new SkillgateError('request.invalid', `No folder ${d}.`, { dir: d });
      }
      let extraKnownIds: Set<string> | undefined;
      if (dirs.length) {
        // Pipelines in the given folders may use the installed skills.
        const installed = loadRegistry(config);
        extraKnownIds = new Set(
          installed
            .list()
            .filter((s) => !dirs.some((d) => isInside(s.file, d)))
            .map((s) => s.id),
        );
      }
      const registry = loadRegistry(config, { dirs: dirs.length ? dirs : undefined, extraKnownIds });
      const problems = registry.problems();
      const files = new Set(problems.map((p) => p.file));
      if (ctx.json) {
        ctx.printJson({ ok: problems.length === 0, skills: registry.list().map((s) => s.id), problems });
      } else {
        for (const p of problems) {
          const file = relative(ctx.cwd, p.file) || p.file;
          ctx.out(`${file}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
        }
        const summary = `${registry.size} skill(s) valid, ${problems.length} problem(s) in ${files.size} file(s)`;
        if (problems.length) ctx.err(summary);
        else ctx.out(summary);
      }
      if (problems.length) ctx.exitCode = EXIT.failed;
    });

  skills
    .command('schema')
    .description('Print the JSON Schema of the skill file format (for editors)')
    .action(() => {
      ctx.printJson(skillFileJsonSchema());
    });
}
