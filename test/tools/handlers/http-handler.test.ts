import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { caught, makeContext, makeSkill } from './handler-test-kit.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const deps = { builtins: new Map(), connectors: new SqlConnectorPools() };
const TOKEN = 'tok-very-secret-123';
let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (path.startsWith('/v1/customers/')) {
        json(200, {
          id: decodeURIComponent(path.slice(14)),
          items: [{ sku: 'a' }, { sku: 'b' }],
          query: req.url,
        });
      } else if (path === '/v1/echo') {
        json(201, {
          method: req.method,
          body: body ? JSON.parse(body) : null,
          auth: req.headers.authorization ?? null,
        });
      } else if (path === '/v1/text') {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-trace': 't-1' });
        res.end('plain words');
      } else if (path === '/v1/fail') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(`backend down; you sent ${req.headers.authorization}`);
      } else if (path === '/v1/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('x'.repeat(1500));
        res.end('y'.repeat(1500));
      } else if (path === '/v1/slow') {
        // Never answers; the handler must give up.
      } else if (path === '/v1/redirect-in') {
        res.writeHead(302, { location: '/v1/customers/moved' });
        res.end();
      } else if (path === '/v1/redirect-out') {
        res.writeHead(302, { location: 'http://example.com/v1/customers/x' });
        res.end();
      } else {
        json(404, { error: 'no route' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen.length = 0;
});

function httpSkill(handler: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return makeSkill({
    input: {
      type: 'object',
      properties: { id: { type: 'string' }, note: { type: 'string' }, n: { type: 'number' } },
    },
    ...extra,
    handler: { type: 'http', ...handler },
  });
}

const secret = (name: string) => (name === 'CRM_TOKEN' ? TOKEN : undefined);

describe('http handler', () => {
  it('renders the URL with encoded input, query and headers, and maps the response by JSON pointer', async () => {
    const skill = httpSkill({
      url: `${base}/v1/customers/{{ input.id }}`,
      query: { note: '{{ input.note }}', missing: '{{ input.nothing }}' },
      headers: { 'X-Count': 'n={{ input.n }}' },
      response: { id: '/id', second: '/items/1/sku', status: 'status' },
    });
    const ctx = makeContext(skill, { input: { id: 'a b/c?d', note: 'x&y=z', n: 3 } });
    const result = await createHandler(skill, deps).run(ctx);
    expect(result.output).toEqual({ id: 'a b/c?d', second: 'b', status: 200 });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/v1/customers/a%20b%2Fc%3Fd?note=x%26y%3Dz');
    expect(seen[0].headers['x-count']).toBe('n=3');
  });

  it('sends a JSON body with typed values and returns {status, body} without a mapping', async () => {
    const skill = httpSkill(
      {
        method: 'POST',
        url: `${base}/v1/echo`,
        headers: { Authorization: 'Bearer {{ secrets.CRM_TOKEN }}' },
        secrets: ['CRM_TOKEN'],
        body: { note: '{{ input.note }}', count: '{{ input.n }}', tags: ['a', '{{ input.note | upper }}'] },
      },
      { effects: 'external' },
    );
    const result = await createHandler(skill, deps).run(
      makeContext(skill, { input: { note: 'hi', n: 2 }, secret }),
    );
    expect(result.output).toEqual({
      status: 201,
      body: { method: 'POST', body: { note: 'hi', count: 2, tags: ['a', 'HI'] }, auth: `Bearer ${TOKEN}` },
    });
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  it('maps text, json keyword and response headers', async () => {
    const skill = httpSkill({ url: `${base}/v1/text`, response: { text: 'text', trace: 'headers.x-trace' } });
    const result = await createHandler(skill, deps).run(makeContext(skill));
    expect(result.output).toEqual({ text: 'plain words', trace: 't-1' });
  });

  it('rejects a URL that leaves the template path and sends nothing', async () => {
    const skill = httpSkill({ url: `${base}/v1/customers/{{ input.id }}` });
    const err = await caught(() =>
      createHandler(skill, deps).run(makeContext(skill, { input: { id: '..' } })),
    );
    expect(err.code).toBe('handler.http_url_rejected');
    expect(err.message).toContain('/v1/customers/');
    expect(seen).toHaveLength(0);
  });

  it('rejects a rendered URL whose path escapes the static prefix through a query-only template', async () => {
    const skill = httpSkill({ url: `${base}/v1/text?q={{ input.id }}` });
    await createHandler(skill, deps).run(makeContext(skill, { input: { id: '../../admin#x' } }));
    expect(seen[0].url).toBe('/v1/text?q=..%2F..%2Fadmin%23x');
  });

  it('refuses URL templates whose origin is not literal, at creation', () => {
    expect(() => createHandler(httpSkill({ url: '{{ input.id }}/v1/x' }), deps)).toThrow(/literal origin/);
    expect(() => createHandler(httpSkill({ url: 'http://{{ input.id }}.example.com/' }), deps)).toThrow(
      /literal origin/,
    );
    expect(() => createHandler(httpSkill({ url: 'file:///etc/passwd' }), deps)).toThrow(/http or https/);
  });

  it('refuses templates reading undeclared secrets, at creation', () => {
    const skill = httpSkill({
      url: `${base}/v1/text`,
      headers: { Authorization: '{{ secrets.ROOT_PASSWORD }}' },
    });
    expect(() => createHandler(skill, deps)).toThrow(/not declared in handler.secrets: ROOT_PASSWORD/);
  });

  it('follows a redirect inside the allowed prefix but refuses one to another origin', async () => {
    const inside = httpSkill({ url: `${base}/v1/{{ input.id }}`, response: { id: '/id' } });
    const ctx = makeContext(inside, { input: { id: 'redirect-in' } });
    expect((await createHandler(inside, deps).run(ctx)).output).toEqual({ id: 'moved' });
    expect(seen.map((s) => s.url)).toEqual(['/v1/redirect-in', '/v1/customers/moved']);
    seen.length = 0;
    const err = await caught(() =>
      createHandler(inside, deps).run(makeContext(inside, { input: { id: 'redirect-out' } })),
    );
    expect(err.code).toBe('handler.http_url_rejected');
    expect(seen.map((s) => s.url)).toEqual(['/v1/redirect-out']);
  });

  it('previews the exact request with secrets redacted and sends nothing', async () => {
    const skill = httpSkill(
      {
        method: 'POST',
        url: `${base}/v1/echo/{{ input.id }}`,
        headers: { Authorization: 'Bearer {{ secrets.CRM_TOKEN }}' },
        query: { key: '{{ secrets.CRM_TOKEN }}' },
        secrets: ['CRM_TOKEN'],
        body: { note: '{{ input.note }}' },
      },
      { effects: 'external' },
    );
    const preview = await createHandler(skill, deps).preview?.(
      makeContext(skill, { input: { id: '42', note: 'hello' }, secret, mode: 'dry_run' }),
    );
    expect(preview).toEqual({
      method: 'POST',
      url: `${base}/v1/echo/42?key=***`,
      headers: { authorization: 'Bearer ***', 'content-type': 'application/json' },
      body: '{"note":"hello"}',
    });
    expect(JSON.stringify(preview)).not.toContain(TOKEN);
    expect(seen).toHaveLength(0);
  });

  it('fails a non-2xx answer with handler.http_failed and the status, never echoing the secret', async () => {
    const skill = httpSkill({
      url: `${base}/v1/fail?k={{ secrets.CRM_TOKEN }}`,
      headers: { Authorization: '{{ secrets.CRM_TOKEN }}' },
      secrets: ['CRM_TOKEN'],
    });
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill, { secret })));
    expect(err.code).toBe('handler.http_failed');
    expect(err.details?.status).toBe(503);
    expect(err.message).toContain('503');
    expect(err.message).toContain('backend down');
    expect(err.message).not.toContain(TOKEN);
    expect(seen[0].headers.authorization).toBe(TOKEN);
  });

  it('fails when a declared secret is not set', async () => {
    const skill = httpSkill({
      url: `${base}/v1/text`,
      headers: { A: '{{ secrets.CRM_TOKEN }}' },
      secrets: ['CRM_TOKEN'],
    });
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('config.invalid');
    expect(seen).toHaveLength(0);
  });

  it('times out a server that never answers with skill.timeout', async () => {
    const skill = httpSkill({ url: `${base}/v1/slow` }, { timeout_ms: 200 });
    const t0 = Date.now();
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('skill.timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops on the abort signal with skill.aborted', async () => {
    const skill = httpSkill({ url: `${base}/v1/slow` });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await caught(() =>
      createHandler(skill, deps).run(makeContext(skill, { signal: controller.signal })),
    );
    expect(err.code).toBe('skill.aborted');
  });

  it('refuses a response larger than max_response_bytes', async () => {
    const skill = httpSkill({ url: `${base}/v1/big`, max_response_bytes: 1000 });
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('handler.http_failed');
    expect(err.message).toContain('larger than 1000 bytes');
    const ok = httpSkill({ url: `${base}/v1/big`, max_response_bytes: 3000, response: { text: 'text' } });
    const result = await createHandler(ok, deps).run(makeContext(ok));
    expect((result.output as { text: string }).text).toHaveLength(3000);
  });

  it('reports an unreachable service as handler.http_failed', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const skill = httpSkill({ url: `http://127.0.0.1:${port}/health` });
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('handler.http_failed');
    expect(err.message).toContain('could not be sent');
  });
});
