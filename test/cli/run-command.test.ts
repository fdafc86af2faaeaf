import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/run-request.js';
import { type CliHome, cli, cliWith, createCliHome, SETUP_TIMEOUT, SLOW } from './cli-harness.js';

describe('skillgate run / approvals / runs', SLOW, () => {
  let h: CliHome;
  let cities: string[];

  beforeAll(async () => {
    h = await createCliHome();
    const r = await cli(h, 'run', 'fixture.find_customers', 'limit=100', '--json');
    expect(r.code).toBe(0);
    const rows = (r.json<RunResult>().output as { rows: { city: string }[] }).rows;
    cities = [...new Set(rows.map((x) => x.city))];
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('runs a read skill with key=value input coerced by its schema and prints a table', async () => {
    const r = await cli(h, 'run', 'fixture.find_customers', `city=${cities[0]}`, 'limit=2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^succeeded {2}fixture\.find_customers {2}run \S+/);
    expect(r.stdout).toMatch(/ID +NAME +CITY +TIER/);
    const lines = r.stdout.trim().split('\n').slice(2);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const l of lines) expect(l).toContain(cities[0]);
  });

  it('prints the RunResult as JSON with --json', async () => {
    const r = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--json');
    expect(r.code).toBe(0);
    const result = r.json<RunResult>();
    expect(result.status).toBe('succeeded');
    expect(result.runId).toMatch(/\S+/);
    expect((result.output as { rows: unknown[] }).rows).toHaveLength(1);
  });

  it('refuses invalid input with exit 1 and the error code on stderr', async () => {
    const r = await cli(h, 'run', 'fixture.find_customers', 'limit=0');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error skill.input_invalid: ');
    expect(r.stderr).toContain('limit');
    expect(r.stderr).toContain('hint: ');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown input field kept by the key=value parser', async () => {
    const r = await cli(h, 'run', 'fixture.find_customers', 'colour=red');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error skill.input_invalid');
  });

  it('reports an unknown skill id with a suggestion', async () => {
    const r = await cli(h, 'run', 'fixture.find_customer', 'limit=1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error skill.not_found: ');
    expect(r.stderr).toContain('Did you mean fixture.find_customers');
  });

  it('treats words that are not a skill id as a request for the router', async () => {
    const r = await cli(h, 'run', 'show', 'me', 'customers', 'in', cities[0], '--json');
    const result = r.json<RunResult>();
    expect([0, 1]).toContain(r.code);
    const run = await cli(h, 'runs', 'show', result.runId, '--json');
    expect(run.json<{ query: string; skillId: string | null }>()).toMatchObject({
      query: `show me customers in ${cities[0]}`,
    });
  });

  it('previews a write with --dry-run and changes nothing', async () => {
    const before = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--json');
    const row = (before.json<RunResult>().output as { rows: { id: number; tier: string }[] }).rows[0];
    const tier = row.tier === 'premium' ? 'free' : 'premium';
    const r = await cli(h, 'run', 'fixture.set_tier', `id=${row.id}`, `tier=${tier}`, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run {2}fixture\.set_tier/);
    expect(r.stdout).toContain('preview (nothing was changed):');
    expect(r.stdout).toContain('would_affect: 1');
    const after = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--json');
    expect((after.json<RunResult>().output as { rows: { tier: string }[] }).rows[0].tier).toBe(row.tier);
  });

  it('refuses a skill the principal has no permission for', async () => {
    const r = await cli(h, 'run', 'fixture.delete_customers', `city=${cities[0]}`, '--as', 'alice');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error policy.denied');
  });

  it('holds a high-risk run for approval (exit 3), refuses self-approval, runs it once another approver approves', async () => {
    const city = cities[cities.length - 1];
    const pending = await cli(h, 'run', 'fixture.delete_customers', `city=${city}`);
    expect(pending.code).toBe(3);
    expect(pending.stdout).toMatch(/^pending approval {2}fixture\.delete_customers/);
    const approvalId = /approve: skillgate approvals approve (\S+) --as/.exec(pending.stdout)?.[1];
    expect(approvalId).toBeDefined();
    expect(pending.stdout).toContain(city);

    const listed = await cli(h, 'approvals', 'list', '--json');
    expect(listed.json<{ id: string; status: string }[]>().map((a) => a.id)).toContain(approvalId);

    const self = await cli(h, 'approvals', 'approve', approvalId!);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('error approval.self_approval');

    const stillThere = await cli(h, 'run', 'fixture.find_customers', `city=${city}`, '--json');
    expect((stillThere.json<RunResult>().output as { rows: unknown[] }).rows.length).toBeGreaterThan(0);

    const approved = await cli(h, 'approvals', 'approve', approvalId!, '--as', 'bob', '--comment', 'ok');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`approval ${approvalId} approved by bob`);
    expect(approved.stdout).toMatch(/succeeded {2}fixture\.delete_customers/);

    const gone = await cli(h, 'run', 'fixture.find_customers', `city=${city}`, '--json');
    expect((gone.json<RunResult>().output as { rows: unknown[] }).rows).toEqual([]);

    const again = await cli(h, 'approvals', 'approve', approvalId!, '--as', 'bob');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error approval.not_pending');
  });

  it('denies a pending run: it never executes', async () => {
    const pending = await cli(h, 'run', 'fixture.delete_customers', `city=${cities[0]}`, '--json');
    expect(pending.code).toBe(3);
    const approval = pending.json<RunResult>().approval!;
    const denied = await cli(h, 'approvals', 'deny', approval.id, '--as', 'bob');
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('denied by bob');
    const run = await cli(h, 'runs', 'show', pending.json<RunResult>().runId, '--json');
    expect(run.json<{ status: string }>().status).toBe('denied');
  });

  it('returns the first run for a repeated idempotency key', async () => {
    const a = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--idempotency-key', 'k-1', '--json');
    const b = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--idempotency-key', 'k-1', '--json');
    expect(b.code).toBe(0);
    expect(b.json<RunResult>().replayed).toBe(true);
    expect(b.json<RunResult>().runId).toBe(a.json<RunResult>().runId);
  });

  it('runs a pipeline and shows its steps as a tree with timings in runs show', async () => {
    const r = await cli(
      h,
      'run',
      'fixture.two_cities',
      `a=${cities[0]}`,
      `b=${cities[1] ?? cities[0]}`,
      '--json',
    );
    expect(r.code).toBe(0);
    const runId = r.json<RunResult>().runId;
    const shown = await cli(h, 'runs', 'show', runId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`run ${runId}  succeeded`);
    expect(shown.stdout).toMatch(/├─ first {2}fixture\.find_customers {2}succeeded {2}\d+ ms/);
    expect(shown.stdout).toMatch(/└─ second {2}fixture\.find_customers {2}succeeded {2}\d+ ms/);
    expect(shown.stdout).toContain('events:');
    expect(shown.stdout).toContain('execution_result');
  });

  it('shows pipeline step progress on stderr only when it is a terminal', async () => {
    const a = cities[0];
    const tty = await cliWith(h, { ttyStderr: true }, 'run', 'fixture.two_cities', `a=${a}`, `b=${a}`);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/✓ first +fixture\.find_customers +succeeded/);
    expect(tty.stderr).toMatch(/✓ second +fixture\.find_customers +succeeded/);
    const piped = await cli(h, 'run', 'fixture.two_cities', `a=${a}`, `b=${a}`);
    expect(piped.stderr).toBe('');
  });

  it('lists runs with filters', async () => {
    const r = await cli(h, 'runs', 'list', '--skill', 'fixture.delete_customers', '--json');
    expect(r.code).toBe(0);
    const runs = r.json<{ skillId: string; status: string }[]>();
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(runs.map((x) => x.skillId))).toEqual(new Set(['fixture.delete_customers']));
    const failed = await cli(h, 'runs', 'list', '--status', 'rejected');
    expect(failed.stdout).toContain('skill.input_invalid');
  });

  it('reports an unknown run id with run.not_found', async () => {
    const r = await cli(h, 'runs', 'show', 'run_nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error run.not_found');
  });

  it('exits 2 on a usage error', async () => {
    const r = await cli(h, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'skill'");
  });
});
