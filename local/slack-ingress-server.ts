/** The Slack endpoint on a plain node http server, as the local stack and the tests serve it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SLACK_EVENTS_PATH } from '../lambdas/handlers/slack-ingress';
import type { SlackApp } from '../lambdas/slack/app';

/** A node http request listener serving `POST /slack/events` with the app (404 elsewhere). */
export function nodeListenerFor(app: Pick<SlackApp, 'handle'>, options: { maxBodyBytes?: number } = {}) {
  const limit = options.maxBodyBytes ?? 1_000_000;
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== SLACK_EVENTS_PATH) {
        res.writeHead(404).end();
        return;
      }
      const body = await readLimited(req, limit);
      if (body === undefined) {
        res.writeHead(413).end();
        return;
      }
      const out = await app.handle({ body, headers: req.headers });
      res.writeHead(out.status, out.headers).end(out.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/** The body as UTF-8, or undefined when it exceeds `limit` bytes (the rest is discarded, not kept). */
function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}
