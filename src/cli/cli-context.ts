import type { Readable, Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { type CreateAppOptions, createApp, type SkillgateApp } from '../core/app.js';
import type { Config } from '../core/config/config-schema.js';
import { type LoadedConfig, loadConfig } from '../core/config/load-config.js';
import { createLogger, REDACT_PATHS } from '../core/logger.js';
import type { Principal } from '../core/principal.js';
import { resolvePrincipal } from '../core/principals.js';
import { formatValue } from './format/format-value.js';
import { type RenderTableOptions, renderTable } from './format/render-table.js';

/** Where the CLI reads and writes; tests pass their own streams, env and cwd. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin?: Readable;
  /** Environment (default `process.env`); `--home` sets `SKILLGATE_HOME` in it. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  home?: string;
  json?: boolean;
  as?: string;
}

/** Status codes the CLI exits with (documented in `--help` and the README). */
export const EXIT = { ok: 0, failed: 1, usage: 2, pending: 3 } as const;

/**
 * What a command needs: the streams, the global options, the configuration (loaded once, lazily)
 * and an app opened on demand. Commands set `exitCode`; `main` closes what was opened.
 */
export class CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  globals: GlobalOptions = {};
  exitCode: number = EXIT.ok;
  private loaded?: LoadedConfig;
  private app?: SkillgateApp;
  private logger?: Logger;

  constructor(io: CliIo) {
    this.stdout = io.stdout;
    this.stderr = io.stderr;
    this.stdin = io.stdin ?? process.stdin;
    this.env = io.env ? { ...io.env } : process.env;
    this.cwd = io.cwd ?? process.cwd();
  }

  /** Applies the global options (`--home` sets `SKILLGATE_HOME` for this run and its children). */
  setGlobals(globals: GlobalOptions): void {
    this.globals = globals;
    if (globals.home) this.env.SKILLGATE_HOME = globals.home;
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /** True when stderr is a terminal (progress is shown only then). */
  get interactive(): boolean {
    return (this.stderr as Writable & { isTTY?: boolean }).isTTY === true;
  }

  /** The terminal width when stdout is a terminal (tables drop what does not fit), else undefined. */
  get width(): number | undefined {
    const out = this.stdout as Writable & { isTTY?: boolean; columns?: number };
    return out.isTTY && out.columns ? out.columns : undefined;
  }

  /** Prints a value for people: tables for rows, YAML otherwise (see `formatValue`). */
  value(value: unknown, indent = ''): void {
    this.out(formatValue(value, indent, { maxWidth: this.width }));
  }

  /** Prints rows as a table fitted to the terminal. */
  table(rows: Record<string, unknown>[], options: Omit<RenderTableOptions, 'maxWidth'> = {}): void {
    this.out(renderTable(rows, { ...options, maxWidth: this.width }));
  }

  out(text = ''): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  loadedConfig(): LoadedConfig {
    this.loaded ??= loadConfig({ file: this.globals.config, env: this.env, cwd: this.cwd });
    return this.loaded;
  }

  get config(): Config {
    return this.loadedConfig().config;
  }

  /**
   * The logger: JSON on stderr, at `warn` for one-shot commands so that stdout stays clean (an
   * explicit `SKILLGATE_LOG_LEVEL` wins), at the configured level for `serve`.
   */
  getLogger(level?: string): Logger {
    if (this.logger) return this.logger;
    const lvl = level ?? (this.env.SKILLGATE_LOG_LEVEL ? this.config.log_level : 'warn');
    this.logger =
      this.stderr === process.stderr
        ? createLogger({ level: lvl })
        : pino(
            {
              level: lvl,
              base: { service: 'skillgate' },
              redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            },
            this.stderr,
          );
    return this.logger;
  }

  /** Opens the app once (storage, migrations, demo seed, skills); closed by `main` at the end. */
  async openApp(options: Partial<Omit<CreateAppOptions, 'config'>> = {}): Promise<SkillgateApp> {
    if (this.app) return this.app;
    this.app = await createApp({ config: this.config, logger: this.getLogger(), ...options });
    return this.app;
  }

  /** The principal acting: `--as`, else `config.local_principal`. */
  principal(): Principal {
    return resolvePrincipal(this.config, this.globals.as ?? this.config.local_principal);
  }

  async close(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (app) await app.close();
    this.logger?.flush?.();
  }
}
