/** A loopback Slack endpoint whose answers a test scripts, recording each request as it arrived. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the endpoint received it. */
export interface ScriptedRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawBody: string;
  readonly form: URLSearchParams;
  /** The parsed `payload` field of an interaction. */
  readonly payload?: Record<string, unknown>;
}

/** What the endpoint answers. */
export interface ScriptedAnswer {
  readonly status?: number;
  readonly body?: string | object;
  readonly delayMs?: number;
}

/** A running scripted endpoint. */
export interface ScriptedIngress {
  readonly url: string;
  readonly received: ScriptedRequest[];
  /** What to answer next (called per request). */
  answer: (request: ScriptedRequest) => ScriptedAnswer | Promise<ScriptedAnswer>;
  close(): Promise<void>;
}

/** Starts an endpoint that answers an empty 200 until told otherwise. */
export async function startScriptedIngress(): Promise<ScriptedIngress> {
  const ingress: ScriptedIngress = {
    url: '',
    received: [],
    answer: () => ({}),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const form = new URLSearchParams(rawBody);
      const payloadText = form.get('payload');
      const request: ScriptedRequest = {
        headers: req.headers,
        rawBody,
        form,
        ...(payloadText ? { payload: JSON.parse(payloadText) as Record<string, unknown> } : {}),
      };
      ingress.received.push(request);
      const answer = await ingress.answer(request);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      const body =
        answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(
        answer.status ?? 200,
        typeof answer.body === 'object' ? { 'content-type': 'application/json' } : {},
      );
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(ingress, {
    url: `http://127.0.0.1:${port}/slack/events`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
