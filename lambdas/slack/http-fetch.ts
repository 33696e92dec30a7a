/**
 * The `fetch` the product's Slack clients send with: minipass-fetch over node's own http/https, on
 * keep-alive agents. @slack/web-api calls `globalThis.fetch` unless told otherwise, and node loads
 * and compiles its bundled undici at the first such call: some 30 ms of every cold function that
 * talks to Slack, for a form-encoded POST. What this one does not send the same way (a multipart
 * FormData body, which WebClient builds when an argument is a Buffer; a Request object) goes to
 * node's own fetch unchanged.
 */
import http from 'node:http';
import https from 'node:https';
import minipassFetch from 'minipass-fetch';

// Idle sockets close after 4 s, as undici's do (its keepAliveTimeout), so a Lambda container
// thawed minutes later does not send on a connection the server has long dropped.
const IDLE_MS = 4000;
const agents = {
  http: new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  https: new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

/** The record of header names and values in any of the shapes `fetch` takes (never touching the global `Headers`). */
function headersOf(init: RequestInit['headers']): Record<string, string> {
  if (init === undefined) return {};
  const pairs: Iterable<readonly [string, string | readonly string[]]> =
    Symbol.iterator in init ? (init as Iterable<readonly [string, string]>) : Object.entries(init);
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const text = typeof value === 'string' ? value : value.join(', ');
    out[name] = out[name] === undefined ? text : `${out[name]}, ${text}`;
  }
  return out;
}

/** Whether minipass-fetch sends `body` exactly as node's fetch would: no body, text, or bytes. */
function plainBody(body: RequestInit['body']): body is string | Uint8Array | null | undefined {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * A `fetch` for WebClient's `fetch` option and the upload POST of an audit export. It answers what
 * WebClient reads of a response (status, statusText, url, headers' get and entries, text, arrayBuffer).
 */
export const slackFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  const body = init?.body;
  if (url === undefined || !plainBody(body)) return fetch(input, init);
  const response = await minipassFetch(url, {
    method: init?.method ?? 'GET',
    headers: headersOf(init?.headers),
    body: body ?? null,
    redirect: init?.redirect ?? 'follow',
    signal: init?.signal ?? null,
    agent: (target) => (target.protocol === 'http:' ? agents.http : agents.https),
  });
  // The WHATWG Response's type over minipass-fetch's node-fetch-shaped one: every member WebClient reads is there.
  return response as unknown as Response;
};
