import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SkillgateError } from '../errors.js';
import { yamlLineOf } from '../yaml-lines.js';
import { type Config, ConfigSchema } from './config-schema.js';
import { DEFAULT_PRINCIPALS, DEFAULT_ROLES } from './defaults.js';

export interface LoadConfigOptions {
  /** Explicit config file; else `$SKILLGATE_CONFIG`, `./skillgate.config.yaml`, `$SKILLGATE_HOME/skillgate.config.yaml`. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values that override file and env (tests). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, if any. */
  file?: string;
}

export const CONFIG_FILE_NAME = 'skillgate.config.yaml';

/** Finds the config file, if any, in the documented order. */
export function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.SKILLGATE_CONFIG) return resolve(cwd, env.SKILLGATE_CONFIG);
  const local = join(cwd, CONFIG_FILE_NAME);
  if (existsSync(local)) return local;
  const home = resolve(cwd, env.SKILLGATE_HOME ?? './.skillgate');
  const inHome = join(home, CONFIG_FILE_NAME);
  return existsSync(inHome) ? inHome : undefined;
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.SKILLGATE_HOME) out.home = env.SKILLGATE_HOME;
  if (env.DATABASE_URL) out.database_url = env.DATABASE_URL;
  if (env.SKILLGATE_LOG_LEVEL) out.log_level = env.SKILLGATE_LOG_LEVEL;
  if (env.SKILLGATE_TENANT) out.tenant = env.SKILLGATE_TENANT;
  if (env.SKILLGATE_PRINCIPAL) out.local_principal = env.SKILLGATE_PRINCIPAL;
  const pglite: Record<string, unknown> = {};
  if (env.SKILLGATE_PGLITE_SHARED_BUFFERS) pglite.shared_buffers = env.SKILLGATE_PGLITE_SHARED_BUFFERS;
  if (env.SKILLGATE_PGLITE_WASM_TIER) pglite.wasm_tier = env.SKILLGATE_PGLITE_WASM_TIER;
  if (Object.keys(pglite).length) out.pglite = pglite;
  const server: Record<string, unknown> = {};
  if (env.SKILLGATE_HOST) server.host = env.SKILLGATE_HOST;
  if (env.SKILLGATE_PORT) server.port = Number(env.SKILLGATE_PORT);
  if (Object.keys(server).length) out.server = server;
  return out;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      out[k] = deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.join('.') : '(root)';
}

/**
 * Reads the configuration once: defaults, then the YAML file, then env, then `overrides`.
 * Fails with `config.invalid` naming the file, the path inside it (and its line) and the reason.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ? resolve(cwd, options.file) : findConfigFile(env, cwd);
  let fromFile: Record<string, unknown> = {};
  let lineOf: (path: (string | number)[]) => number | undefined = () => undefined;
  if (file) {
    if (!existsSync(file)) {
      throw new SkillgateError('config.invalid', `Config file ${file} does not exist.`, { file });
    }
    const text = readFileSync(file, 'utf8');
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0].line;
      throw new SkillgateError(
        'config.invalid',
        `${file}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`,
        { file, line: line ?? null },
      );
    }
    const data = doc.toJS() ?? {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw new SkillgateError('config.invalid', `${file}: the config must be a YAML mapping.`, { file });
    }
    fromFile = data as Record<string, unknown>;
    lineOf = (path) => yamlLineOf(doc, lineCounter, path);
  }
  const raw = deepMerge(deepMerge(fromFile, envOverrides(env)), options.overrides ?? {});
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issuePath(issue);
    const line = lineOf(issue.path as (string | number)[]);
    const where = file ? `${file}${line ? `:${line}` : ''}` : 'environment';
    throw new SkillgateError('config.invalid', `${where}: ${path}: ${issue.message}`, {
      file: file ?? null,
      path,
      line: line ?? null,
    });
  }
  const config = parsed.data;
  config.roles = { ...DEFAULT_ROLES, ...config.roles };
  config.principals = { ...DEFAULT_PRINCIPALS, ...config.principals };
  config.home = isAbsolute(config.home) ? config.home : resolve(cwd, config.home);
  for (const [id, p] of Object.entries(config.principals)) {
    for (const role of p.roles) {
      if (!config.roles[role]) {
        throw new SkillgateError(
          'config.invalid',
          `${file ?? 'config'}: principals.${id}.roles: unknown role "${role}" (known: ${Object.keys(config.roles).join(', ')})`,
          { file: file ?? null, path: `principals.${id}.roles` },
        );
      }
    }
  }
  return { config, file };
}
