import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { classifyAddress } from '../../src/tools/builtins/web/address-policy.js';
import { webFetch, webFetchBuiltin } from '../../src/tools/builtins/web/web-fetch.js';
import { createTestDb } from '../helpers/test-db.js';
import { type LocalServer, localServer } from './http-fixtures.js';
import { skillContext } from './skill-context.js';

const PAGE = `<!doctype html><html><head><title>Release notes &amp; news</title>
<style>body { color: red }</style><script>window.secret = "do-not-show";</script></head>
<body><nav><a href="/">Home</a></nav><h1>Version 2.0</h1>
<p>Faster <b>builds</b> and a <a href="https://example.org/docs">new guide</a>.</p>
<ul><li>Fix one</li><li>Fix two</li></ul><img src="x.png" alt="diagram"></body></html>`;

describe('web.fetch against a local server', () => {
  let db: PgliteDb;
  let site: LocalServer;
  const loopback = { web: { allow_loopback: true } };

  beforeAll(async () => {
    db = await createTestDb();
    site = await localServer((req, res) => {
      if (req.url === '/page') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(PAGE);
      } else if (req.url === '/big') {
        res.setHeader('content-type', 'text/plain');
        res.end('x'.repeat(200_000));
      } else if (req.url === '/gzip') {
        res.setHeader('content-type', 'text/plain');
        res.setHeader('content-encoding', 'gzip');
        res.end(gzipSync('compressed hello'));
      } else if (req.url === '/json') {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      } else if (req.url === '/image') {
        res.setHeader('content-type', 'image/png');
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else if (req.url === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', '/page');
        res.end();
      } else if (req.url === '/to-private') {
        res.statusCode = 302;
        res.setHeader('location', 'http://10.1.2.3/admin');
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 3_000);
      } else {
        res.statusCode = 404;
        res.setHeader('content-type', 'text/html');
        res.end('<html><head><title>Not found</title></head><body>Nothing here</body></html>');
      }
    });
  });
  afterAll(async () => {
    await site.close();
    await db.close();
  });

  const fetchIt = (input: Record<string, unknown>, config: Record<string, unknown> = loopback) =>
    webFetch(skillContext('web.fetch', { db, config, input }));

  it('returns the title and the readable text of an HTML page, without scripts, styles or markup', async () => {
    const out = await fetchIt({ url: `${site.url}/page` });
    expect(out).toMatchObject({
      status: 200,
      ok: true,
      content_type: 'text/html',
      title: 'Release notes & news',
      truncated: false,
    });
    expect(out.text).toContain('Version 2.0');
    expect(out.text).toContain('Faster builds and a new guide.');
    expect(out.text).toMatch(/\* Fix one\n \* Fix two/);
    expect(out.text).not.toMatch(/secret|color: red|<|href|x\.png/);
    const sent = site.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'GET', url: '/page' });
  });

  it('follows redirects and reports the final URL', async () => {
    const out = await fetchIt({ url: `${site.url}/redirect` });
    expect(out).toMatchObject({ final_url: `${site.url}/page`, redirects: 1, title: 'Release notes & news' });
  });

  it('cuts the body at the size limit and the text at max_chars', async () => {
    const out = await fetchIt({ url: `${site.url}/big`, max_bytes: 10_000 });
    expect(out).toMatchObject({ bytes: 10_000, truncated: true });
    const capped = await fetchIt(
      { url: `${site.url}/big` },
      { web: { allow_loopback: true, max_bytes: 5_000 } },
    );
    expect(capped.bytes).toBe(5_000);
    const chars = await fetchIt({ url: `${site.url}/big`, max_chars: 100 });
    expect(chars).toMatchObject({ text_truncated: true, truncated: false });
    expect(chars.text).toHaveLength(100);
  });

  it('decompresses gzip, returns JSON as text and only metadata for binary content', async () => {
    expect((await fetchIt({ url: `${site.url}/gzip` })).text).toBe('compressed hello');
    expect((await fetchIt({ url: `${site.url}/json` })).text).toBe('{"ok":true}');
    const img = await fetchIt({ url: `${site.url}/image` });
    expect(img).toMatchObject({ content_type: 'image/png', text: null, bytes: 4 });
    expect(img.note).toMatch(/not text/);
  });

  it('returns error statuses instead of throwing', async () => {
    expect(await fetchIt({ url: `${site.url}/missing` })).toMatchObject({
      status: 404,
      ok: false,
      title: 'Not found',
      text: 'Nothing here',
    });
  });

  it('times out slow servers with handler.http_failed', async () => {
    await expect(fetchIt({ url: `${site.url}/slow`, timeout_ms: 300 })).rejects.toMatchObject({
      code: 'handler.http_failed',
      details: { timed_out: true },
    });
  });

  it('refuses schemes other than http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'javascript:alert(1)', 'gopher://x']) {
      await expect(fetchIt({ url }), url).rejects.toMatchObject({ code: 'web.url_refused' });
    }
    await expect(fetchIt({ url: `http://user:pw@127.0.0.1:${site.port}/page` })).rejects.toMatchObject({
      code: 'web.url_refused',
    });
  });

  it('refuses loopback unless web.allow_loopback, whether named by IP or by host name', async () => {
    const before = site.requests.length;
    for (const url of [
      `${site.url}/page`,
      `http://localhost:${site.port}/page`,
      `http://[::ffff:127.0.0.1]:${site.port}/page`,
    ]) {
      await expect(fetchIt({ url }, {}), url).rejects.toMatchObject({
        code: 'web.url_refused',
        details: { address_class: 'loopback' },
      });
    }
    // allow_private alone does not open loopback.
    await expect(
      fetchIt({ url: `${site.url}/page` }, { web: { allow_private: true } }),
    ).rejects.toMatchObject({ code: 'web.url_refused' });
    expect(site.requests.length).toBe(before);
  });

  it('refuses private and link-local targets, also when reached through a redirect', async () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ]) {
      await expect(fetchIt({ url }), url).rejects.toMatchObject({ code: 'web.url_refused' });
    }
    await expect(fetchIt({ url: `${site.url}/to-private` })).rejects.toMatchObject({
      code: 'web.url_refused',
      details: { address: '10.1.2.3', address_class: 'private' },
    });
  });

  it('previews the request and refuses a forbidden one already in the preview', async () => {
    const before = site.requests.length;
    const preview = await webFetchBuiltin.preview!(
      skillContext('web.fetch', { db, config: loopback, input: { url: `${site.url}/page` } }),
    );
    expect(preview).toMatchObject({
      request: { method: 'GET', url: `${site.url}/page` },
      resolves_to: ['127.0.0.1'],
      limits: { max_bytes: 2 * 1024 * 1024, timeout_ms: 10_000 },
    });
    await expect(
      webFetchBuiltin.preview!(
        skillContext('web.fetch', { db, input: { url: `http://localhost:${site.port}/` } }),
      ),
    ).rejects.toMatchObject({ code: 'web.url_refused' });
    expect(site.requests.length).toBe(before);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2606:4700::1111')).toBe('public');
    expect(classifyAddress('127.0.0.2')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('172.20.1.1')).toBe('private');
    expect(classifyAddress('100.64.0.1')).toBe('private');
    expect(classifyAddress('fd12::1')).toBe('private');
    expect(classifyAddress('224.0.0.1')).toBe('multicast');
  });
});
