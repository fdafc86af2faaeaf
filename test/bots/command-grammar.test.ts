import { describe, expect, it } from 'vitest';
import { parseChatCommand, splitInlineInput, tokenize } from '../../src/bots/command-grammar.js';
import { resolveFollowUp } from '../../src/bots/follow-up.js';
import { parseChatUserRef } from '../../src/bots/store/identity-store.js';
import { SkillgateError } from '../../src/core/errors.js';

describe('chat command grammar', () => {
  it('parses every command', () => {
    expect(parseChatCommand('run crm.find_customer query="ACME Corp" limit=5', 'slack')).toEqual({
      kind: 'run',
      skill: 'crm.find_customer',
      args: ['query=ACME Corp', 'limit=5'],
    });
    expect(parseChatCommand('ask remind ACME about invoice 42', 'slack')).toEqual({
      kind: 'ask',
      request: 'remind ACME about invoice 42',
    });
    expect(parseChatCommand('skills', 'slack')).toEqual({ kind: 'skills', query: undefined });
    expect(parseChatCommand('skills overdue invoices', 'slack')).toEqual({
      kind: 'skills',
      query: 'overdue invoices',
    });
    expect(parseChatCommand('approvals', 'slack')).toEqual({ kind: 'approvals' });
    expect(parseChatCommand('status run_01abc', 'slack')).toEqual({ kind: 'status', runId: 'run_01abc' });
    expect(parseChatCommand('', 'slack')).toEqual({ kind: 'help' });
    expect(parseChatCommand('HELP', 'slack')).toEqual({ kind: 'help' });
  });

  it('takes an unknown first word as a request in words', () => {
    expect(parseChatCommand('restart the api please', 'discord')).toEqual({
      kind: 'ask',
      request: 'restart the api please',
    });
  });

  it('normalises user mentions in users link', () => {
    expect(parseChatCommand('users link <@U123|bob> bob', 'slack')).toMatchObject({
      action: 'link',
      user: 'slack:U123',
      principal: 'bob',
    });
    expect(parseChatCommand('users link <@!42> bob', 'discord')).toMatchObject({ user: 'discord:42' });
    expect(parseChatCommand('users', 'slack')).toEqual({ kind: 'users', action: 'list' });
  });

  it('fails with request.invalid and the usage when a command is incomplete', () => {
    for (const text of ['run', 'status', 'ask', 'users link U1']) {
      let err: unknown;
      try {
        parseChatCommand(text, 'slack');
      } catch (e) {
        err = e;
      }
      expect(SkillgateError.is(err, 'request.invalid'), text).toBe(true);
      expect((err as Error).message).toContain('Usage:');
    }
  });

  it('tokenizes quotes (also typographic ones) and splits inline key=value input', () => {
    expect(tokenize('a "b c" d=\u201ce f\u201d \'g\'')).toEqual(['a', 'b c', 'd=e f', 'g']);
    expect(splitInlineInput('delete old notes prefix=tmp- limit=3')).toEqual({
      query: 'delete old notes',
      pairs: ['prefix=tmp-', 'limit=3'],
    });
  });

  it('parses chat user references', () => {
    expect(parseChatUserRef('slack:U123')).toEqual({ platform: 'slack', userId: 'U123' });
    expect(parseChatUserRef('discord:300000000000000001')).toEqual({
      platform: 'discord',
      userId: '300000000000000001',
    });
    expect(() => parseChatUserRef('teams:U1')).toThrow(SkillgateError);
  });

  it('resolves follow-ups from the thread context only', () => {
    const turns = [
      {
        at: '',
        principal: 'alice',
        request: 'echo',
        skill: 'demo.echo',
        input: { text: 'a', n: 1 },
        runId: 'run_1',
        status: 'succeeded',
      },
    ];
    const skill = () =>
      ({
        spec: { input: { type: 'object' as const, properties: { n: { type: 'integer' as const } } } },
      }) as never;
    expect(resolveFollowUp('n=5', turns, skill)).toEqual({
      kind: 'skill',
      skill: 'demo.echo',
      input: { text: 'a', n: 5 },
    });
    expect(resolveFollowUp('again', turns, skill)).toEqual({
      kind: 'skill',
      skill: 'demo.echo',
      input: { text: 'a', n: 1 },
    });
    expect(resolveFollowUp('show overdue invoices', turns, skill)).toBeUndefined();
    expect(resolveFollowUp('n=5', [], skill)).toBeUndefined();
  });
});
