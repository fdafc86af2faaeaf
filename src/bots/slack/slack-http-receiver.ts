import { parse as parseQuery } from 'node:querystring';
import {
  type App,
  type Receiver,
  type ReceiverEvent,
  ReceiverMultipleAckError,
  verifySlackRequest,
} from '@slack/bolt';
import type { Context } from 'hono';
import type { Logger } from 'pino';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Resolves when the Bolt app finished initialising (auth.test); events wait for it. */
  ready?: Promise<unknown>;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(raw) as Record<string, unknown>;
    return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
  }
  return JSON.parse(raw) as Record<string, unknown>;
}

/**
 * Bolt's receiver for our Hono server (`POST /slack/events`): the signature and timestamp are
 * verified by Bolt's `verifySlackRequest` (401 when bad or older than 5 minutes), and the HTTP
 * response goes out as soon as a listener calls `ack()`: listeners ack first and work after, so
 * Slack's 3-second deadline holds however long the work takes. `X-Slack-Retry-Num` reaches
 * listeners as `context.retryNum`.
 */
export class SlackHttpReceiver implements Receiver {
  private app?: App;

  constructor(private readonly o: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** The Hono handler. */
  handle = async (c: Context): Promise<Response> => {
    const raw = await c.req.text();
    try {
      verifySlackRequest({
        signingSecret: this.o.signingSecret,
        body: raw,
        headers: {
          'x-slack-signature': c.req.header('x-slack-signature') ?? '',
          'x-slack-request-timestamp': Number(c.req.header('x-slack-request-timestamp')),
        },
      });
    } catch (err) {
      this.o.logger.info(
        { reason: (err as Error).message },
        'slack request refused: bad signature or stale timestamp',
      );
      return c.json(
        { error: { code: 'auth.unauthorized', message: 'Invalid Slack signature or timestamp.' } },
        401,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, c.req.header('content-type'));
    } catch {
      return c.json({ error: { code: 'request.invalid', message: 'Unreadable Slack payload.' } }, 400);
    }
    if (body.ssl_check) return c.body(null, 200);
    if (body.type === 'url_verification') return c.json({ challenge: body.challenge });
    try {
      await this.o.ready;
    } catch {
      return c.json({ error: { code: 'internal.error', message: 'The Slack app failed to start.' } }, 503);
    }
    let acked = false;
    let resolveAck: (response: unknown) => void = () => {};
    const ackPromise = new Promise<{ ack: unknown }>((resolve) => {
      resolveAck = (response) => resolve({ ack: response });
    });
    const retry = c.req.header('x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      retryNum: retry !== undefined ? Number(retry) : undefined,
      retryReason: c.req.header('x-slack-retry-reason'),
      customProperties: {},
      ack: async (response?: unknown) => {
        if (acked) throw new ReceiverMultipleAckError();
        acked = true;
        resolveAck(response);
      },
    };
    const processing = this.app!.processEvent(event).then(
      () => ({ done: true as const }),
      (err: unknown) => ({ failed: err }),
    );
    const first = await Promise.race([ackPromise, processing]);
    if ('ack' in first) {
      const r = first.ack;
      if (r === undefined || r === null || r === '') return c.body(null, 200);
      return typeof r === 'string' ? c.text(r, 200) : c.json(r as object, 200);
    }
    if ('failed' in first) {
      this.o.logger.error({ err: first.failed }, 'slack event failed before it was acknowledged');
      return c.json({ error: { code: 'internal.error', message: 'The event could not be handled.' } }, 500);
    }
    return c.json(
      { error: { code: 'request.not_found', message: 'No handler for this Slack request.' } },
      404,
    );
  };
}
