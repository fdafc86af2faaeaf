import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { ConnectorConfig } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import {
  addToEnvExample,
  envName,
  readSecret,
  secretsFile,
  upsertEnvFile,
} from '../../triggers/secrets/env-file.js';
import type { CliContext } from '../cli-context.js';

/** The env names a connector needs: `SKILLGATE_<CONNECTOR>_<KEY>` (names given in full are kept). */
export function connectorSecretNames(id: string, c: ConnectorConfig): string[] {
  const keys = [...c.secrets, ...(c.dsn_env ? [c.dsn_env] : [])];
  const prefix = envName(id);
  return [
    ...new Set(
      keys.map((k) => (k.toUpperCase().startsWith(`${prefix}_`) ? k.toUpperCase() : envName(id, k))),
    ),
  ];
}

type TtyInput = Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => void };

/** Reads one line from a terminal without echoing it. */
function readHidden(input: TtyInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    input.setRawMode?.(true);
    input.resume();
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      if (err) reject(err);
      else resolve(value);
    };
    input.on('data', onData);
  });
}

/** `skillgate secrets init --connector <id>`: prompts for a connector's secrets and stores them (0600). */
export function registerSecretsCommands(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('Manage secrets in $SKILLGATE_HOME/secrets/.env');
  secrets
    .command('init')
    .description("Prompt (without echo) for a connector's secrets and write them to the secrets file")
    .requiredOption('--connector <id>', 'a connector of the config (`connectors:`)')
    .action(async (opts: { connector: string }) => {
      const config = ctx.config;
      const connector = config.connectors[opts.connector];
      if (!connector) {
        const known = Object.keys(config.connectors);
        throw new SkillgateError(
          'secrets.invalid',
          `No connector "${opts.connector}" in the config${known.length ? ` (known: ${known.join(', ')})` : ''}.`,
          { connector: opts.connector },
        );
      }
      const names = connectorSecretNames(opts.connector, connector);
      if (names.length === 0) return ctx.out(`connector ${opts.connector} needs no secrets`);
      ctx.err(`connector ${opts.connector} needs: ${names.join(', ')}`);
      const input = ctx.stdin as TtyInput;
      const lines = input.isTTY
        ? undefined
        : createInterface({ input, terminal: false })[Symbol.asyncIterator]();
      const values: Record<string, string> = {};
      const kept: string[] = [];
      try {
        for (const name of names) {
          const existing = readSecret(config.home, name, {});
          ctx.stderr.write(`${name}${existing ? ' (enter keeps the current value)' : ''}: `);
          const next = lines ? await lines.next() : { value: await readHidden(input), done: false };
          if (input.isTTY) ctx.stderr.write('\n');
          const value = (next.done ? '' : String(next.value)).trim();
          if (value) values[name] = value;
          else if (existing) kept.push(name);
          else {
            throw new SkillgateError('secrets.invalid', `No value given for ${name}; nothing was written.`, {
              secret: name,
            });
          }
        }
      } finally {
        await lines?.return?.();
      }
      const file = secretsFile(config.home);
      upsertEnvFile(file, values);
      const loaded = ctx.loadedConfig().file;
      const example = join(loaded ? dirname(loaded) : ctx.cwd, '.env.example');
      addToEnvExample(
        example,
        names,
        `connector ${opts.connector} (skillgate secrets init --connector ${opts.connector})`,
      );
      if (!ctx.json) {
        ctx.out(
          `wrote ${Object.keys(values).length} secret(s) to ${file} (mode 0600)${kept.length ? `; kept ${kept.join(', ')}` : ''}`,
        );
        ctx.out(`listed ${names.join(', ')} in ${example}`);
      } else ctx.printJson({ file, written: Object.keys(values), kept, example });
    });
}
