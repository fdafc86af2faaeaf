import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { signatureHeader } from '../../src/triggers/webhooks/signature.js';
import { type CliHome, cleanEnv, cli, createCliHome } from '../cli/cli-harness.js';

/** `skillgate ...` in-process with text fed to stdin. */
async function cliStdin(h: CliHome, stdin: string, ...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await main(['--config', h.configFile, ...args], {
    stdout: out,
    stderr: err,
    stdin: Readable.from([stdin]),
    env: cleanEnv(h.home),
    cwd: h.dir,
  });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}

describe('skillgate jobs, webhooks, schedule and secrets commands', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome(`connectors:
  crm:
    type: http
    base_url: https://crm.example.test
    secrets: [api_key, SKILLGATE_CRM_WEBHOOK_TOKEN]
`);
  });
  afterAll(() => h.remove());

  it('run --async queues a job; jobs work runs it; jobs list/show report it', async () => {
    const q = await cli(h, 'run', 'fixture.find_customers', 'limit=2', '--async', '--json');
    expect(q.code).toBe(0);
    const { jobId } = q.json<{ jobId: string }>();
    expect(jobId).toMatch(/^job_/);
    const queued = await cli(h, 'jobs', 'show', jobId, '--json');
    expect(queued.json<{ job: { state: string } }>().job.state).toBe('queued');
    expect((await cli(h, 'jobs', 'work', '--timeout', '60')).code).toBe(0);
    const shown = await cli(h, 'jobs', 'show', jobId, '--json');
    const d = shown.json<{
      job: { state: string; output: { rows: unknown[] } };
      attempts: { outcome: string }[];
    }>();
    expect(d.job.state).toBe('succeeded');
    expect(d.job.output.rows).toHaveLength(2);
    expect(d.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    const list = await cli(h, 'jobs', 'list', '--state', 'succeeded');
    expect(list.stdout).toContain(jobId);
    expect((await cli(h, 'jobs', 'cancel', jobId)).code).toBe(1);
    expect((await cli(h, 'jobs', 'show', 'job_nope')).stderr).toContain('job.not_found');
  });

  it('webhooks add/list/remove and webhook handle (signed, with --wait), rejecting a bad signature', async () => {
    const add = await cli(
      h,
      'webhooks',
      'add',
      '--id',
      'leads',
      '--skill',
      'fixture.find_customers',
      '--secret',
      'cli-secret-0123456789',
      '--transform',
      '{"pointers": {"city": "/lead/city"}}',
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('SKILLGATE_WEBHOOK_LEADS_SECRET');
    expect(statSync(join(h.home, 'secrets', '.env')).mode & 0o777).toBe(0o600);
    const payload = join(h.dir, 'lead.json');
    const body = JSON.stringify({ lead: { city: 'Lyon' } });
    writeFileSync(payload, body);
    const ok = await cli(
      h,
      'webhook',
      'handle',
      '--id',
      'leads',
      '--path',
      payload,
      '--signature',
      signatureHeader('cli-secret-0123456789', body),
      '--wait',
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/200 accepted: job job_\w+/);
    expect(ok.stdout).toMatch(/job job_\w+ succeeded/);
    const bad = await cli(
      h,
      'webhook',
      'handle',
      '--id',
      'leads',
      '--path',
      payload,
      '--signature',
      signatureHeader('wrong-secret-000000', body),
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('401 webhook.signature_invalid');
    const list = await cli(h, 'webhooks', 'list');
    expect(list.stdout).toContain('leads');
    expect(list.stdout).not.toContain('cli-secret');
    expect((await cli(h, 'webhooks', 'remove', 'leads')).code).toBe(0);
    expect((await cli(h, 'webhooks', 'list')).stdout).toContain('no webhooks');
  });

  it('schedule add goes through schedules.create; list, disable, enable, tick, remove', async () => {
    const add = await cli(
      h,
      'schedule',
      'add',
      'fixture.find_customers',
      'limit=1',
      '--at',
      '2020-01-01T00:00:00Z',
      '--json',
    );
    expect(add.code).toBe(0);
    const id = add.json<{ output: { schedule: { id: string } } }>().output.schedule.id;
    expect((await cli(h, 'schedule', 'list')).stdout).toContain(id);
    expect((await cli(h, 'schedule', 'disable', id)).stdout).toContain('disabled');
    expect((await cli(h, 'schedule', 'tick')).stdout).toContain('0 job(s) queued');
    expect((await cli(h, 'schedule', 'enable', id)).code).toBe(0);
    // The one-off was missed long ago: catch_up_once (the default for run_at) fires it once.
    const tick = await cli(h, 'schedule', 'tick', '--json');
    const r = tick.json<{ fired: number; jobIds: string[] }>();
    expect(r.fired).toBe(1);
    const job = await cli(h, 'jobs', 'show', r.jobIds[0], '--json');
    expect(job.json<{ job: { state: string; channel: string } }>().job).toMatchObject({
      state: 'succeeded',
      channel: 'schedule',
    });
    expect((await cli(h, 'schedule', 'tick', '--json')).json<{ fired: number }>().fired).toBe(0);
    expect((await cli(h, 'schedule', 'remove', id)).code).toBe(0);
    const bad = await cli(h, 'schedule', 'add', 'fixture.find_customers', '--cron', 'sometimes');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('schedule.invalid');
  });

  it('secrets init prompts for each connector secret, writes them 0600 and lists them in .env.example', async () => {
    const r = await cliStdin(h, 'key-value-1\ntoken-value-2\n', 'secrets', 'init', '--connector', 'crm');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('SKILLGATE_CRM_API_KEY');
    expect(r.stdout + r.stderr).not.toContain('key-value-1');
    const file = join(h.home, 'secrets', '.env');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('SKILLGATE_CRM_API_KEY=key-value-1');
    expect(text).toContain('SKILLGATE_CRM_WEBHOOK_TOKEN=token-value-2');
    const example = readFileSync(join(h.dir, '.env.example'), 'utf8');
    expect(example).toContain('SKILLGATE_CRM_API_KEY=\n');
    expect(example).not.toContain('key-value-1');
    // Enter keeps the current values; an unknown connector is refused.
    expect((await cliStdin(h, '\n\n', 'secrets', 'init', '--connector', 'crm')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('SKILLGATE_CRM_API_KEY=key-value-1');
    const unknown = await cliStdin(h, '', 'secrets', 'init', '--connector', 'nope');
    expect(unknown.stderr).toContain('secrets.invalid');
  });
});
