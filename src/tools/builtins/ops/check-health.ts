import type { ServiceConfig } from '../../../core/config/config-schema.js';

/** `up`: 2xx/3xx; `down`: any other HTTP status; `unreachable`: no answer in time; `unchecked`: no health URL. */
export type HealthState = 'up' | 'down' | 'unreachable' | 'unchecked';

export interface ServiceHealth {
  service: string;
  status: HealthState;
  http_status: number | null;
  latency_ms: number | null;
  url: string | null;
  error: string | null;
}

export interface CheckHealthOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

function describeError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e.cause?.code) return `${e.cause.code}${e.cause.message ? `: ${e.cause.message}` : ''}`;
  return e.message;
}

/** GETs a service's `health_url` once with a timeout. Never throws: the outcome is in `status`. */
export async function checkHealth(
  name: string,
  svc: ServiceConfig,
  options: CheckHealthOptions,
): Promise<ServiceHealth> {
  if (!svc.health_url) {
    return {
      service: name,
      status: 'unchecked',
      http_status: null,
      latency_ms: null,
      url: null,
      error: 'no health_url configured',
    };
  }
  const started = performance.now();
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  try {
    const res = await fetch(svc.health_url, {
      headers: { 'user-agent': 'Skillgate health check' },
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    });
    await res.body?.cancel().catch(() => {});
    const latency = Math.round(performance.now() - started);
    return {
      service: name,
      status: res.status < 400 ? 'up' : 'down',
      http_status: res.status,
      latency_ms: latency,
      url: svc.health_url,
      error: res.status < 400 ? null : `HTTP ${res.status}`,
    };
  } catch (err) {
    return {
      service: name,
      status: 'unreachable',
      http_status: null,
      latency_ms: Math.round(performance.now() - started),
      url: svc.health_url,
      error: describeError(err, options.timeoutMs),
    };
  }
}
