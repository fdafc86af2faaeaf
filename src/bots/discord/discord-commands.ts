import type { ChatInputCommandInteraction } from 'discord.js';
import type { ChatCommand } from '../command-grammar.js';
import { tokenize } from '../command-grammar.js';

const SUB = 1;
const STRING = 3;
const USER = 6;

/** The `/skillgate` application command with its subcommands (registered at start). */
export function skillgateCommandDefinition(name = 'skillgate') {
  return {
    name,
    description: 'Skills and pipelines behind policy and approval gates',
    options: [
      {
        type: SUB,
        name: 'run',
        description: 'Run a skill by id',
        options: [
          { type: STRING, name: 'skill', description: 'Skill id', required: true, autocomplete: true },
          { type: STRING, name: 'args', description: 'key=value pairs', required: false },
        ],
      },
      {
        type: SUB,
        name: 'ask',
        description: 'Ask in words; Skillgate picks the skill',
        options: [{ type: STRING, name: 'request', description: 'What you want', required: true }],
      },
      {
        type: SUB,
        name: 'skills',
        description: 'List skills, or those matching a query',
        options: [{ type: STRING, name: 'query', description: 'Words to match', required: false }],
      },
      { type: SUB, name: 'approvals', description: 'Pending approvals you can decide' },
      {
        type: SUB,
        name: 'status',
        description: 'A run and its result',
        options: [{ type: STRING, name: 'run', description: 'Run id (run_...)', required: true }],
      },
      { type: SUB, name: 'help', description: 'What Skillgate can do here' },
      { type: SUB, name: 'users', description: '(admins) Linked chat users' },
      {
        type: SUB,
        name: 'link',
        description: '(admins) Link a Discord user to a Skillgate principal',
        options: [
          { type: USER, name: 'user', description: 'Discord user', required: true },
          { type: STRING, name: 'principal', description: 'Principal id', required: true },
        ],
      },
      {
        type: SUB,
        name: 'unlink',
        description: '(admins) Unlink a Discord user',
        options: [{ type: USER, name: 'user', description: 'Discord user', required: true }],
      },
    ],
  };
}

/** The chat command of a `/skillgate <subcommand>` interaction. */
export function commandOfInteraction(i: ChatInputCommandInteraction): ChatCommand {
  const sub = i.options.getSubcommand(true);
  switch (sub) {
    case 'run':
      return {
        kind: 'run',
        skill: i.options.getString('skill', true),
        args: tokenize(i.options.getString('args') ?? ''),
      };
    case 'ask':
      return { kind: 'ask', request: i.options.getString('request', true).slice(0, 4000) };
    case 'skills':
      return { kind: 'skills', query: i.options.getString('query') ?? undefined };
    case 'approvals':
      return { kind: 'approvals' };
    case 'status':
      return { kind: 'status', runId: i.options.getString('run', true) };
    case 'users':
      return { kind: 'users', action: 'list' };
    case 'link':
      return {
        kind: 'users',
        action: 'link',
        user: `discord:${i.options.getUser('user', true).id}`,
        principal: i.options.getString('principal', true),
      };
    case 'unlink':
      return { kind: 'users', action: 'unlink', user: `discord:${i.options.getUser('user', true).id}` };
    default:
      return { kind: 'help' };
  }
}
