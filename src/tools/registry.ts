import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SkillgateError } from '../core/errors.js';
import type { Handler } from './handler.js';
import type { Skill } from './skill.js';
import { parseSkillFile, type SkillFileProblem } from './skill-loader.js';

export interface RegistryChange {
  added: string[];
  updated: string[];
  removed: string[];
}

export interface SkillRegistryOptions {
  /** Pack folders, searched recursively for `*.yaml` / `*.yml`. */
  dirs: string[];
  /** Builds the handler of a skill; throws (e.g. unknown builtin) to reject the skill. */
  makeHandler: (skill: Skill) => Handler;
  /** Problems of a pipeline skill against the set of known skill ids (unknown steps, cycles). */
  validatePipeline?: (skill: Skill, knownIds: ReadonlySet<string>) => string[];
}

interface Entry {
  skill: Skill;
  handler: Handler;
}

/** Folder names inside packs that hold data, not skills. */
const SKIPPED_DIRS = new Set(['contracts', 'restrictions', 'fixtures', 'node_modules', 'data']);

function listYamlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const full = join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) out.push(...listYamlFiles(full));
    } else if (/\.ya?ml$/.test(name)) {
      out.push(full);
    }
  }
  return out;
}

/**
 * The skills Skillgate knows. Loads packs recursively, reports every invalid file with file, line
 * and reason, and keeps serving the last good version of a skill when its file breaks. With
 * `watch()`, adding, changing or deleting a file takes effect without a restart.
 *
 * Events: `change` (RegistryChange) after every effective change.
 */
export class SkillRegistry extends EventEmitter {
  private readonly entries = new Map<string, Entry>();
  /** file -> id of the skill it currently provides. */
  private readonly fileToId = new Map<string, string>();
  private readonly problemsByFile = new Map<string, SkillFileProblem[]>();
  private closeWatcher?: () => Promise<void>;

  constructor(private readonly options: SkillRegistryOptions) {
    super();
  }

  /** Loads every file of every pack folder (replacing nothing that stays valid). */
  loadAll(): RegistryChange {
    const files = this.options.dirs.flatMap((d) => listYamlFiles(resolve(d)));
    return this.applyFiles(
      files,
      [...this.fileToId.keys()].filter((f) => !files.includes(f)),
    );
  }

  get(id: string): Skill | undefined {
    return this.entries.get(id)?.skill;
  }

  /** The skill with its handler, or `skill.not_found`. */
  require(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new SkillgateError('skill.not_found', `No skill "${id}" is loaded.`, { skill: id });
    return e;
  }

  /** All loaded skills sorted by id (internal ones included unless `publicOnly`). */
  list(options: { publicOnly?: boolean } = {}): Skill[] {
    const skills = [...this.entries.values()].map((e) => e.skill);
    return skills
      .filter((s) => !options.publicOnly || !s.spec.internal)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every current problem, file by file. */
  problems(): SkillFileProblem[] {
    return [...this.problemsByFile.values()].flat();
  }

  /** Re-reads the given files (changed or added) and drops the removed ones. */
  applyFiles(changed: string[], removed: string[] = []): RegistryChange {
    const change: RegistryChange = { added: [], updated: [], removed: [] };
    for (const file of removed) {
      this.problemsByFile.delete(file);
      const id = this.fileToId.get(file);
      this.fileToId.delete(file);
      if (id && this.entries.get(id)?.skill.file === file) {
        this.entries.delete(id);
        change.removed.push(id);
      }
    }
    const parsed: Skill[] = [];
    for (const file of changed) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        this.problemsByFile.set(file, [{ file, reason: `cannot read: ${(err as Error).message}` }]);
        continue;
      }
      const result = parseSkillFile(file, text);
      if (result.skill) {
        parsed.push(result.skill);
        this.problemsByFile.delete(file);
      } else {
        this.problemsByFile.set(file, result.problems);
      }
    }
    // Non-pipelines first, so that pipelines can refer to skills of the same batch.
    parsed.sort(
      (a, b) => Number(a.spec.handler.type === 'pipeline') - Number(b.spec.handler.type === 'pipeline'),
    );
    for (const skill of parsed) this.accept(skill, change);
    this.revalidatePipelines();
    if (change.added.length + change.updated.length + change.removed.length > 0) this.emit('change', change);
    return change;
  }

  private accept(skill: Skill, change: RegistryChange): void {
    const file = skill.file;
    const owner = this.entries.get(skill.id);
    if (owner && owner.skill.file !== file) {
      this.problemsByFile.set(file, [
        {
          file,
          reason: `duplicate skill id "${skill.id}" (already defined in ${owner.skill.file})`,
          skillId: skill.id,
        },
      ]);
      return;
    }
    if (skill.spec.handler.type === 'pipeline' && this.options.validatePipeline) {
      const known = new Set(this.entries.keys());
      const issues = this.options.validatePipeline(skill, known);
      if (issues.length > 0) {
        this.problemsByFile.set(
          file,
          issues.map((reason) => ({ file, reason, skillId: skill.id })),
        );
        return;
      }
    }
    let handler: Handler;
    try {
      handler = this.options.makeHandler(skill);
    } catch (err) {
      this.problemsByFile.set(file, [{ file, reason: (err as Error).message, skillId: skill.id }]);
      return;
    }
    const previousId = this.fileToId.get(file);
    if (previousId && previousId !== skill.id && this.entries.get(previousId)?.skill.file === file) {
      this.entries.delete(previousId);
      change.removed.push(previousId);
    }
    if (owner && owner.skill.hash === skill.hash) return;
    this.entries.set(skill.id, { skill, handler });
    this.fileToId.set(file, skill.id);
    (owner ? change.updated : change.added).push(skill.id);
  }

  /** Pipelines whose steps disappeared stay loaded (last good) but are reported. */
  private revalidatePipelines(): void {
    if (!this.options.validatePipeline) return;
    const known = new Set(this.entries.keys());
    for (const { skill } of this.entries.values()) {
      if (skill.spec.handler.type !== 'pipeline') continue;
      const issues = this.options.validatePipeline(skill, known);
      if (issues.length > 0) {
        this.problemsByFile.set(
          skill.file,
          issues.map((reason) => ({ file: skill.file, reason, skillId: skill.id })),
        );
      } else if (this.problemsByFile.get(skill.file)?.every((p) => p.skillId === skill.id)) {
        this.problemsByFile.delete(skill.file);
      }
    }
  }

  /** Watches the pack folders and applies changes (debounced). Returns when the watcher is ready. */
  async watch(options: { debounceMs?: number } = {}): Promise<void> {
    if (this.closeWatcher) return;
    const { watch } = await import('chokidar');
    const watcher = watch(
      this.options.dirs.map((d) => resolve(d)),
      {
        ignoreInitial: true,
        awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
      },
    );
    const changed = new Set<string>();
    const removed = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const c = [...changed];
      const r = [...removed];
      changed.clear();
      removed.clear();
      this.applyFiles(c, r);
    };
    const schedule = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, options.debounceMs ?? 100);
    };
    const isSkillFile = (p: string) =>
      /\.ya?ml$/.test(p) && !p.split(/[\\/]/).some((s) => SKIPPED_DIRS.has(s));
    watcher.on('all', (event, p) => {
      if (!isSkillFile(p)) return;
      if (event === 'add' || event === 'change') {
        changed.add(p);
        removed.delete(p);
      } else if (event === 'unlink') {
        removed.add(p);
        changed.delete(p);
      } else {
        return;
      }
      schedule();
    });
    await new Promise<void>((res) => watcher.once('ready', () => res()));
    this.closeWatcher = async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
    };
  }

  async close(): Promise<void> {
    await this.closeWatcher?.();
    this.closeWatcher = undefined;
  }
}
