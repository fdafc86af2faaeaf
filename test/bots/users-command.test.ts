import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, cli, createCliHome, SETUP_TIMEOUT, SLOW } from '../cli/cli-harness.js';

describe('skillgate users', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
  }, SETUP_TIMEOUT);
  afterAll(() => h?.remove());

  it('links, lists and unlinks chat users, and tells who acts as whom', SLOW, async () => {
    const link = await cli(h, 'users', 'link', 'slack:U123', 'alice');
    expect(link.stdout).toBe('slack:U123 now acts as alice (tenant default)\n');
    const list = await cli(h, '--json', 'users', 'list');
    expect(list.json<{ user: string; principal: string }[]>().map((r) => `${r.user}=${r.principal}`)).toEqual(
      ['slack:U123=alice'],
    );
    expect((await cli(h, 'users', 'unlink', 'slack:U123')).stdout).toBe('slack:U123 unlinked\n');
    expect((await cli(h, 'users', 'list', '--platform', 'slack')).stdout).toBe('no linked chat users\n');
  });

  it('refuses unknown principals and malformed users with a code', SLOW, async () => {
    const unknown = await cli(h, 'users', 'link', 'slack:U1', 'mallory');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error auth.unknown_principal');
    const bad = await cli(h, 'users', 'link', 'teams:U1', 'alice');
    expect(bad.stderr).toContain('error request.invalid');
  });
});
