import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, type SkillgateHttpApp } from '../../src/server/http-app.js';
import { getJob, listJobs } from '../../src/triggers/jobs/job-store.js';
import { secretsFile } from '../../src/triggers/secrets/env-file.js';
import { attachmentPath } from '../../src/triggers/webhooks/attachments.js';
import { handleWebhook } from '../../src/triggers/webhooks/handle-webhook.js';
import { signatureHeader, signPayload } from '../../src/triggers/webhooks/signature.js';
import { mountWebhookRoutes } from '../../src/triggers/webhooks/webhook-routes.js';
import {
  addWebhook,
  listWebhooks,
  removeWebhook,
  rotateWebhookSecret,
} from '../../src/triggers/webhooks/webhook-store.js';
import { createTriggerApp } from './trigger-fixtures.js';

type App = Awaited<ReturnType<typeof createTriggerApp>>['app'];
const SECRET = 'whsec_test_0123456789abcdef';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

describe('signed webhooks', () => {
  let app: App;
  let http: SkillgateHttpApp;

  beforeAll(async () => {
    process.env.SKILLGATE_TEST_HOOK_SECRET = SECRET;
    ({ app } = await createTriggerApp({
      webhooks: {
        max_body_bytes: 4096,
        attachments: { max_bytes: 64, max_files: 2, allowed_types: ['image/png', 'text/*'] },
        hooks: {
          orders: {
            skill: 'jobs.echo',
            principal: 'alice',
            secret_env: 'SKILLGATE_TEST_HOOK_SECRET',
            transform: { pointers: { n: '/order/qty', text: '/order/note' } },
            idempotency_field: '/delivery',
          },
        },
      },
    }));
    http = createHttpApp(app, { mounts: [(h, a) => mountWebhookRoutes(h, a)] });
  });
  afterAll(async () => {
    delete process.env.SKILLGATE_TEST_HOOK_SECRET;
    await http.close();
    await app.close();
  });

  function post(id: string, body: string | Uint8Array, headers: Record<string, string>) {
    return http.request(`/hooks/${id}`, {
      method: 'POST',
      body,
      headers: { host: '127.0.0.1', 'content-type': 'application/json', ...headers },
    });
  }

  it('accepts a correctly signed delivery with 200 and the job id, transformed by JSON pointers', async () => {
    const body = JSON.stringify({ delivery: 'd-1', order: { qty: 3, note: 'rush' } });
    const res = await post('orders', body, { 'x-skillgate-signature': signatureHeader(SECRET, body) });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { job_id: string; duplicate: boolean };
    expect(json).toMatchObject({ accepted: true, webhook: 'orders', duplicate: false });
    const job = await getJob(app.db, json.job_id);
    expect(job).toMatchObject({
      state: 'queued',
      channel: 'webhook',
      source: 'webhook',
      sourceRef: 'orders',
      skillId: 'jobs.echo',
      input: { n: 3, text: 'rush' },
    });
    expect(job?.principal.id).toBe('alice');
  });

  it('answers 400 malformed, 401 bad signature, 410 expired, 413 too large, 404 unknown', async () => {
    const body = JSON.stringify({ delivery: 'd-2', order: { qty: 1 } });
    expect((await post('orders', body, {})).status).toBe(400);
    expect((await post('orders', body, { 'x-skillgate-signature': 't=abc,v1=zz' })).status).toBe(400);
    const wrong = signatureHeader('another-secret-entirely', body);
    const r401 = await post('orders', body, { 'x-skillgate-signature': wrong });
    expect(r401.status).toBe(401);
    expect(((await r401.json()) as { error: { code: string } }).error.code).toBe('webhook.signature_invalid');
    // A signature over a different body does not verify either (the whole raw body is covered).
    expect(
      (await post('orders', `${body} `, { 'x-skillgate-signature': signatureHeader(SECRET, body) })).status,
    ).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 301;
    expect(
      (await post('orders', body, { 'x-skillgate-signature': signatureHeader(SECRET, body, old) })).status,
    ).toBe(410);
    const future = Math.floor(Date.now() / 1000) + 301;
    expect(
      (await post('orders', body, { 'x-skillgate-signature': signatureHeader(SECRET, body, future) })).status,
    ).toBe(410);
    const big = JSON.stringify({ delivery: 'd-3', pad: 'x'.repeat(5000) });
    expect(
      (await post('orders', big, { 'x-skillgate-signature': signatureHeader(SECRET, big) })).status,
    ).toBe(413);
    expect(
      (await post('nope', body, { 'x-skillgate-signature': signatureHeader(SECRET, body) })).status,
    ).toBe(404);
    const bad = '{"delivery": "d-4", "order": {"qty": "three"}}';
    const r400 = await post('orders', bad, { 'x-skillgate-signature': signatureHeader(SECRET, bad) });
    expect(r400.status).toBe(400);
    expect(((await r400.json()) as { error: { code: string } }).error.code).toBe('webhook.payload_invalid');
  });

  it('acknowledges a duplicate delivery (header or payload field) and skips it', async () => {
    const body = JSON.stringify({ delivery: 'dup-1', order: { qty: 5 } });
    const first = (await (
      await post('orders', body, { 'x-skillgate-signature': signatureHeader(SECRET, body) })
    ).json()) as {
      job_id: string;
    };
    const again = await post('orders', body, { 'x-skillgate-signature': signatureHeader(SECRET, body) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ job_id: first.job_id, duplicate: true });
    const h = { 'x-skillgate-signature': '', 'idempotency-key': 'hdr-1' };
    const b2 = JSON.stringify({ order: { qty: 6 } });
    h['x-skillgate-signature'] = signatureHeader(SECRET, b2);
    const a = (await (await post('orders', b2, h)).json()) as { job_id: string };
    const b = (await (await post('orders', b2, h)).json()) as { job_id: string; duplicate: boolean };
    expect(b).toMatchObject({ job_id: a.job_id, duplicate: true });
    const jobs = await listJobs(app.db, {
      tenant: 'default',
      source: 'webhook',
      sourceRef: 'orders',
      limit: 100,
    });
    expect(jobs.filter((j) => j.input.n === 5)).toHaveLength(1);
    const dup = await app.db.query<{ duplicates: number }>(
      `SELECT duplicates FROM webhook_deliveries WHERE webhook_id = 'orders' AND idempotency_key = 'dup-1'`,
    );
    expect(dup.rows[0].duplicates).toBe(1);
  });

  it('stores multipart attachments content-addressed and hands the skill references, not bytes', async () => {
    const form = new FormData();
    form.set('payload', JSON.stringify({ delivery: 'mp-1', order: { qty: 2 } }));
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const req = new Request('http://127.0.0.1/x', { method: 'POST', body: form });
    const raw = new Uint8Array(await req.arrayBuffer());
    const ct = req.headers.get('content-type')!;
    const res = await post('orders', raw, {
      'content-type': ct,
      'x-skillgate-signature': signatureHeader(SECRET, raw),
    });
    expect(res.status).toBe(200);
    const job = await getJob(app.db, ((await res.json()) as { job_id: string }).job_id);
    const att = (
      job!.input.attachments as { ref: string; sha256: string; size: number; content_type: string }[]
    )[0];
    expect(att).toMatchObject({ size: PNG.length, content_type: 'image/png', filename: 'pixel.png' });
    expect(att.ref).toBe(`attachment:sha256:${att.sha256}`);
    const path = attachmentPath(app.config.home, att.sha256);
    expect(readFileSync(path)).toEqual(PNG);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const lie = new FormData();
    lie.append('file', new Blob([Buffer.from('not a png at all')], { type: 'image/png' }), 'fake.png');
    const lieReq = new Request('http://127.0.0.1/x', { method: 'POST', body: lie });
    const lieRaw = new Uint8Array(await lieReq.arrayBuffer());
    const r415 = await post('orders', lieRaw, {
      'content-type': lieReq.headers.get('content-type')!,
      'x-skillgate-signature': signatureHeader(SECRET, lieRaw),
    });
    expect(r415.status).toBe(415);
    const exe = new FormData();
    exe.append('file', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'a.exe');
    const exeReq = new Request('http://127.0.0.1/x', { method: 'POST', body: exe });
    const exeRaw = new Uint8Array(await exeReq.arrayBuffer());
    expect(
      (
        await post('orders', exeRaw, {
          'content-type': exeReq.headers.get('content-type')!,
          'x-skillgate-signature': signatureHeader(SECRET, exeRaw),
        })
      ).status,
    ).toBe(415);
    const large = new FormData();
    large.append('file', new Blob([Buffer.alloc(100, 'a')], { type: 'text/plain' }), 'big.txt');
    const largeReq = new Request('http://127.0.0.1/x', { method: 'POST', body: large });
    const largeRaw = new Uint8Array(await largeReq.arrayBuffer());
    expect(
      (
        await post('orders', largeRaw, {
          'content-type': largeReq.headers.get('content-type')!,
          'x-skillgate-signature': signatureHeader(SECRET, largeRaw),
        })
      ).status,
    ).toBe(413);
  });

  it('keeps CLI-added secrets out of the database and accepts both secrets during a rotation', async () => {
    const hook = await addWebhook(app.db, app.config, {
      id: 'crm-sync',
      skill: 'jobs.echo',
      principal: app.as('alice'),
      secret: 'first-secret-0123456789',
      transform: { template: { text: '{{ body.name }}', n: '{{ body.count }}' } },
    });
    expect(hook.secretRef).toBe('SKILLGATE_WEBHOOK_CRM_SYNC_SECRET');
    const row = await app.db.query('SELECT * FROM webhooks WHERE id = $1', ['crm-sync']);
    expect(JSON.stringify(row.rows[0])).not.toContain('first-secret');
    expect(statSync(secretsFile(app.config.home)).mode & 0o777).toBe(0o600);
    const body = JSON.stringify({ name: 'Ada', count: 2 });
    const ok = await handleWebhook(app, {
      id: 'crm-sync',
      raw: Buffer.from(body),
      headers: { 'x-skillgate-signature': signatureHeader('first-secret-0123456789', body) },
    });
    expect((await getJob(app.db, ok.job_id))?.input).toEqual({ text: 'Ada', n: 2 });

    const now = new Date();
    await rotateWebhookSecret(
      app.db,
      app.config,
      'crm-sync',
      'default',
      'second-secret-0123456789',
      3_600_000,
      now,
    );
    const t = Math.floor(Date.now() / 1000);
    for (const secret of ['first-secret-0123456789', 'second-secret-0123456789']) {
      const r = await post('crm-sync', body, {
        'x-skillgate-signature': `t=${t},v1=${signPayload(secret, t, body)}`,
      });
      expect(r.status).toBe(200);
    }
    // After the grace period only the new secret verifies.
    const later = new Date(now.getTime() + 3_600_001);
    await expect(
      handleWebhook(app, {
        id: 'crm-sync',
        raw: Buffer.from(body),
        headers: {
          'x-skillgate-signature': signatureHeader(
            'first-secret-0123456789',
            body,
            Math.floor(later.getTime() / 1000),
          ),
        },
        now: later,
      }),
    ).rejects.toMatchObject({ code: 'webhook.signature_invalid' });
    expect((await listWebhooks(app.db, app.config, 'default')).map((h) => h.id)).toEqual([
      'orders',
      'crm-sync',
    ]);
    await removeWebhook(app.db, app.config, 'crm-sync', 'default');
    expect(readFileSync(secretsFile(app.config.home), 'utf8')).not.toContain('CRM_SYNC');
    expect(existsSync(secretsFile(app.config.home))).toBe(true);
    await expect(removeWebhook(app.db, app.config, 'orders', 'default')).rejects.toMatchObject({
      code: 'request.invalid',
    });
  });
});
