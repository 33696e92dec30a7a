import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { createSandboxHandler, type SandboxHandler } from '../../../local/sandbox/handler';
import type { PanelContext } from '../../../local/sandbox/panels';
import type { Snapshot } from '../../../local/sandbox/protocol';
import { type SlackApiStandIn, startSlackApi } from '../../../local/slack-api/server';
import { type ScriptedIngress, startScriptedIngress } from './support/scripted-ingress';

let slack: SlackApiStandIn;
let ingress: ScriptedIngress;
let handler: SandboxHandler;
let server: Server;
let base: string;
let web: WebClient;
let panelAsked: PanelContext[];
let ontap: Server;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: 'xoxb-test' });
  ingress = await startScriptedIngress();
  web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  ontap = createServer((req, res) => {
    res.writeHead(req.url?.includes('broken') ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ records: [{ account: 'alice', query: req.url }], num_records: 1 }));
  });
  await new Promise<void>((resolve) => ontap.listen(0, '127.0.0.1', resolve));
  const ontapUrl = `http://127.0.0.1:${(ontap.address() as AddressInfo).port}`;
  panelAsked = [];
  handler = createSandboxHandler({
    slack,
    ingressUrl: ingress.url,
    signingSecret: 'secret',
    timeScale: 60,
    panels: [
      {
        title: 'Audit trail',
        fetch: async (context) => {
          panelAsked.push(context);
          return [{ at: '12:00', event: 'REQUESTED' }];
        },
      },
      { title: 'ONTAP', url: `${ontapUrl}/api/security/jit-privilege-users` },
      { title: 'Broken', url: `${ontapUrl}/broken` },
    ],
  });
  server = createServer((req, res) =>
    handler(req, res, () => {
      res.writeHead(418);
      res.end('not mine');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox`;
});
afterAll(async () => {
  handler.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => ontap.close(resolve));
  await ingress.close();
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  ingress.received.length = 0;
});

const state = async (user?: string): Promise<Snapshot> =>
  (await (await fetch(`${base}/api/state${user ? `?user=${user}` : ''}`)).json()) as Snapshot;
const post = (path: string, body: unknown, type = 'application/json') =>
  fetch(`${base}/api/${path}`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });

describe('the sandbox page and its assets', () => {
  it('serves the page with a strict content security policy, its styles and its bundled script', async () => {
    const redirect = await fetch(base, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/sandbox/']);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script src="app.js" defer></script>');
    expect((await fetch(`${base}/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const script = await (await fetch(`${base}/app.js`)).text();
    expect(script).toContain('EventSource');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script).not.toContain('zod');
  });

  it('leaves other paths to the server it is mounted on', async () => {
    expect((await fetch(`${base.replace('/sandbox', '')}/slack/events`)).status).toBe(418);
    expect((await fetch(`${base}x`)).status).toBe(418);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});

describe('what each person sees', () => {
  it('shows the channels and their DM with the app, their own ephemeral messages only, and their modal', async () => {
    const posted = await web.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'Access request',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }],
    });
    await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'reply', thread_ts: posted.ts! });
    await web.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'for Alice' });
    await web.chat.postMessage({ channel: 'U0ALICE', text: 'Alice DM' });
    await web.chat.postMessage({ channel: 'U0BOB', text: 'Bob DM' });
    await web.chat.postMessage({ channel: 'C0OTHER', text: 'elsewhere' });
    await web.views.open({
      trigger_id: slack.issueTrigger('U0ALICE'),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Request' }, blocks: [] },
    });
    await web.views.publish({ user_id: 'U0BOB', view: { type: 'home', blocks: [{ type: 'divider' }] } });

    const alice = await state('U0ALICE');
    // A Home tab is the app's page for one person: Bob's is not Alice's.
    expect(alice.home).toBeNull();
    expect((await state('U0BOB')).home?.blocks).toEqual([{ type: 'divider', block_id: expect.any(String) }]);
    expect(alice.me).toEqual({ id: 'U0ALICE', name: 'alice', realName: 'Alice Storage', note: 'requester' });
    expect(alice.channels).toEqual([
      { id: 'C0APPROVALS', name: 'jit-approvals', kind: 'channel' },
      { id: 'C0OTHER', name: 'c0other', kind: 'channel' },
      { id: 'D0ALICE', name: 'JIT Access', kind: 'app' },
      { id: 'APP_HOME', name: 'JIT Access · Home', kind: 'home' },
    ]);
    expect(alice.messages.map((m) => [m.channel, m.text, m.ephemeral, m.threadTs ?? null])).toEqual([
      ['C0APPROVALS', 'Access request', false, null],
      ['C0APPROVALS', 'reply', false, posted.ts],
      ['C0APPROVALS', 'for Alice', true, null],
      ['D0ALICE', 'Alice DM', false, null],
      ['C0OTHER', 'elsewhere', false, null],
    ]);
    expect(alice.messages[0]!.blocks[0]).toMatchObject({
      type: 'section',
      text: { type: 'mrkdwn', text: '*hi*', verbatim: false },
    });
    expect(alice.modal).toMatchObject({ title: 'Request', close: 'Cancel', depth: 1 });
    expect(alice).toMatchObject({
      timeScale: 60,
      panelRefreshMs: 2000,
      panels: [
        { index: 0, title: 'Audit trail' },
        { index: 1, title: 'ONTAP' },
        { index: 2, title: 'Broken' },
      ],
    });

    const bob = await state('U0BOB');
    expect(bob.messages.map((m) => m.text)).toEqual(['Access request', 'reply', 'Bob DM', 'elsewhere']);
    expect(bob.modal).toBeNull();
    expect(bob.users.find((u) => u.id === 'U0ERIN')?.note).toBe('approver through S0STORAGE');
    expect((await state()).me.id).toBe('U0ALICE');
    expect((await fetch(`${base}/api/state?user=U0NOBODY`)).status).toBe(400);
  });

  it('says when something changed, as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    const next = async (): Promise<string> => new TextDecoder().decode((await reader.read()).value);
    expect(await next()).toMatch(/^retry: 1000\nevent: change\ndata: \d+\n\n$/);
    await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'new' });
    expect(await next()).toMatch(/^event: change\ndata: \d+\n\n$/);
    controller.abort();
  });
});

describe('what a person does', () => {
  it('is refused when malformed, not JSON, or from another site', async () => {
    const plainText = await post('command', { user: 'U0ALICE', channel: 'C0APPROVALS', line: '/jit' }, 'text/plain');
    expect(plainText.status).toBe(400);
    const bad = await post('command', { user: 'U0ALICE', channel: 'C0APPROVALS' });
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { error: 'Invalid request at line: Invalid input: expected string, received undefined.' },
    ]);
    const unknown = await post('view-submit', { user: 'U0ALICE', viewId: 'V404', entries: {} });
    expect([unknown.status, await unknown.json()]).toEqual([400, { error: 'No open view V404 for U0ALICE.' }]);
    expect(ingress.received).toHaveLength(0);
  });

  it('becomes a signed request to the app, listed in the request log', async () => {
    const answer = await post('command', { user: 'U0ALICE', channel: 'C0APPROVALS', line: '/jit list' });
    expect(await answer.json()).toEqual({ status: 200, shown: 'none' });
    expect(ingress.received[0]!.form.get('text')).toBe('list');
    const log = (await (await fetch(`${base}/api/requests`)).json()) as { kind: string; payload: string }[];
    expect(log[0]).toMatchObject({ kind: 'slash_command', user: 'U0ALICE', status: 200 });
    expect(JSON.parse(log[0]!.payload)).toMatchObject({ command: '/jit', text: 'list' });
  });
});

describe('side panels', () => {
  it('are filled from functions and URLs, with the selected message, and survive a failing source', async () => {
    const audit = await (await fetch(`${base}/api/panels/0?user=U0BOB&channel=C0APPROVALS&ts=1.000001&text=hi`)).json();
    expect(audit).toEqual({ title: 'Audit trail', columns: ['at', 'event'], rows: [['12:00', 'REQUESTED']] });
    expect(panelAsked.at(-1)).toEqual({
      user: 'U0BOB',
      selected: { channel: 'C0APPROVALS', ts: '1.000001', text: 'hi' },
    });
    const ontapTable = await (await fetch(`${base}/api/panels/1?user=U0BOB`)).json();
    expect(ontapTable).toEqual({
      title: 'ONTAP',
      columns: ['account', 'query'],
      rows: [['alice', '/api/security/jit-privilege-users?user=U0BOB']],
    });
    const broken = (await (await fetch(`${base}/api/panels/2?user=U0BOB`)).json()) as { error: string };
    expect(broken.error).toBe('The panel "Broken" could not be loaded. HTTP 500');
    expect((await fetch(`${base}/api/panels/7`)).status).toBe(400);
  });
});
