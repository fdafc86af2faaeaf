/**
 * `npm run bench:code`: canonicalizations per second per language on a corpus of realistic
 * functions, and `code.compile` wall time for one spec across the available backends, cold
 * (no cache) vs cached. Prints a table and JSON; machine-dependent, run on an idle machine.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '../src/code/canonical/canonicalize.js';
import { compileSpec } from '../src/code/compile/compile-spec.js';
import type { CodeLanguage } from '../src/code/parsing/languages.js';
import { BACKEND_IDS } from '../src/code/spec/backends.js';
import { checkSpec } from '../src/code/spec/check-spec.js';
import { migrate } from '../src/db/migrate.js';
import { PgliteDb } from '../src/db/pglite-db.js';

const CORPUS: Record<CodeLanguage, string[]> = {
  python: [
    'import re\nfrom typing import Iterable\n\n\ndef slugify(text: str) -> str:\n    """Lower-case, hyphen-separated."""\n    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")\n',
    'def merge_intervals(intervals):\n    out = []\n    for start, end in sorted(intervals):\n        if out and start <= out[-1][1]:\n            out[-1][1] = max(out[-1][1], end)\n        else:\n            out.append([start, end])\n    return out\n',
    'class LRU:\n    def __init__(self, cap):\n        self.cap = cap\n        self.data = {}\n\n    def get(self, key):\n        if key not in self.data:\n            return None\n        value = self.data.pop(key)\n        self.data[key] = value\n        return value\n\n    def put(self, key, value):\n        self.data.pop(key, None)\n        self.data[key] = value\n        if len(self.data) > self.cap:\n            self.data.pop(next(iter(self.data)))\n',
    'def binary_search(xs, target):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2  # midpoint\n        if xs[mid] == target:\n            return mid\n        if xs[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1\n',
  ],
  javascript: [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text with a template literal
    "import { readFile } from 'node:fs/promises';\nexport async function loadJson(path) {\n  const text = await readFile(path, 'utf8');\n  try { return JSON.parse(text); } catch (err) { throw new Error(`bad json in ${path}: ${err.message}`); }\n}\n",
    'function debounce(fn, ms) {\n  let timer;\n  return (...args) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), ms);\n  };\n}\n',
    'export function groupBy(items, key) {\n  const out = {};\n  for (const item of items) {\n    const k = typeof key === "function" ? key(item) : item[key];\n    (out[k] ??= []).push(item);\n  }\n  return out;\n}\n',
    'function fizzbuzz(n) {\n  const out = [];\n  for (let i = 1; i <= n; i++) {\n    if (i % 15 === 0) out.push("FizzBuzz");\n    else if (i % 3 === 0) out.push("Fizz");\n    else if (i % 5 === 0) out.push("Buzz");\n    else out.push(String(i));\n  }\n  return out;\n}\n',
  ],
  typescript: [
    'interface User { id: string; email: string; active: boolean }\nexport function activeEmails(users: readonly User[]): string[] {\n  return users.filter((u) => u.active).map((u) => u.email.toLowerCase()).sort();\n}\n',
    'export class RateLimiter {\n  private tokens: number;\n  constructor(private readonly burst: number, private readonly perSecond: number) { this.tokens = burst; }\n  take(now: number, last: number): boolean {\n    this.tokens = Math.min(this.burst, this.tokens + ((now - last) / 1000) * this.perSecond);\n    if (this.tokens < 1) return false;\n    this.tokens -= 1;\n    return true;\n  }\n}\n',
    'export function chunk<T>(xs: T[], size: number): T[][] {\n  const out: T[][] = [];\n  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));\n  return out;\n}\n',
  ],
  c: [
    '#include <stdint.h>\n#include <stddef.h>\nuint32_t crc32(const uint8_t *data, size_t len) {\n  uint32_t crc = 0xFFFFFFFFu;\n  for (size_t i = 0; i < len; i++) {\n    crc ^= data[i];\n    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));\n  }\n  return ~crc;\n}\n',
    'int binary_search(const int *xs, int n, int target) {\n  int lo = 0, hi = n - 1;\n  while (lo <= hi) {\n    int mid = lo + (hi - lo) / 2; /* no overflow */\n    if (xs[mid] == target) return mid;\n    if (xs[mid] < target) lo = mid + 1; else hi = mid - 1;\n  }\n  return -1;\n}\n',
    'void insertion_sort(int *a, int n) {\n  for (int i = 1; i < n; i++) {\n    int key = a[i];\n    int j = i - 1;\n    while (j >= 0 && a[j] > key) { a[j + 1] = a[j]; j--; }\n    a[j + 1] = key;\n  }\n}\n',
  ],
};

async function canonicalRate(lang: CodeLanguage, seconds: number) {
  const corpus = CORPUS[lang];
  for (const c of corpus) await canonicalize(c, lang);
  let n = 0;
  let bytes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const code = corpus[n % corpus.length];
    await canonicalize(code, lang);
    bytes += code.length;
    n++;
  }
  const s = (performance.now() - started) / 1000;
  return {
    language: lang,
    per_second: Math.round(n / s),
    kib_per_second: Math.round(bytes / 1024 / s),
    functions: corpus.length,
  };
}

async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const canon = [];
  for (const lang of Object.keys(CORPUS) as CodeLanguage[]) canon.push(await canonicalRate(lang, seconds));
  console.log('canonicalize (all three levels per call):');
  console.table(canon);

  const db = await PgliteDb.open();
  await migrate(db);
  const home = mkdtempSync(join(tmpdir(), 'skillgate-bench-code-'));
  const spec = checkSpec(
    readFileSync(join(import.meta.dirname, '..', 'test', 'code', 'fixtures', 'is-prime.spec.yaml'), 'utf8'),
  );
  const cold = await compileSpec({ spec, backends: BACKEND_IDS, db, tenant: 'bench', home, useCache: false });
  const cachedRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await compileSpec({ spec, backends: BACKEND_IDS, db, tenant: 'bench', home });
    cachedRuns.push(performance.now() - t);
  }
  const cached = cachedRuns.sort((a, b) => a - b)[2];
  console.log('code.compile of is_prime across backends:');
  console.table(
    cold.backends.map((b) => ({
      backend: b.backend,
      status: b.status,
      toolchain: b.toolchain.version,
      compile_ms: b.compile_ms,
      run_ms: b.run_ms,
    })),
  );
  const summary = {
    backends_built: cold.backends.filter((b) => b.status === 'passed').length,
    cold_ms: cold.duration_ms,
    cached_median_ms: Math.round(cached),
    cached_share_of_cold: Math.round((cached / cold.duration_ms) * 10000) / 100,
  };
  console.log(summary);
  console.log(JSON.stringify({ canonicalize: canon, compile: summary }));
  await db.close();
}

await main();
