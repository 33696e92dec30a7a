/**
 * The Slack sandbox, mounted on the local stack's node:http server: the page (`GET <base>/`), its
 * script and styles, a live snapshot of what the chosen person sees (`GET <base>/api/state`, with
 * `GET <base>/api/events` as a server-sent event stream that says when to read it again), the side
 * panels, and one POST route per thing a person does in Slack, each turned by the platform
 * emulator into a signed request to the app.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { z } from 'zod';
import type { SlackApiStandIn } from '../slack-api/server';
import { SandboxError, SandboxRequestError } from './errors';
import { loadPanel, type PanelContext, type PanelSource } from './panels';
import type { AppInstall } from './payloads';
import { createSlackPlatform, type SandboxChannel, type SlackPlatform } from './platform';
import {
  CLUSTER_COMMAND_REQUEST,
  COMMAND_REQUEST,
  HOME_ACTION_REQUEST,
  HOME_OPEN_REQUEST,
  MESSAGE_ACTION_REQUEST,
  type SnapshotRequest,
  VIEW_ACTION_REQUEST,
  VIEW_CLOSE_REQUEST,
  VIEW_SUBMIT_REQUEST,
} from './protocol';
import { buildSnapshot, EXAMPLE_USER_NOTES, type SnapshotSettings } from './snapshot';

/** How the local stack sets the sandbox up. */
export interface SandboxOptions {
  /** The Slack Web API stand-in the app talks to. */
  readonly slack: SlackApiStandIn;
  /** The app's Slack endpoint, e.g. `http://127.0.0.1:3000/slack/events`. */
  readonly ingressUrl: string;
  /** The signing secret the app verifies requests with. */
  readonly signingSecret: string;
  /** Where the sandbox is mounted. @default '/sandbox' */
  readonly basePath?: string;
  /** Channels shown by name. @default [{ id: 'C0APPROVALS', name: 'jit-approvals' }] */
  readonly channels?: readonly SandboxChannel[];
  /** Who the page acts as until the person picks someone. @default the first person of the directory */
  readonly defaultUser?: string;
  /** The app's display name. @default 'JIT Access' */
  readonly appName?: string;
  /** What each person is, shown in the user switcher. @default EXAMPLE_USER_NOTES */
  readonly userNotes?: Readonly<Record<string, string>>;
  /** Handles of user groups for mentions (`S0STORAGE` → `storage-oncall`). @default {} */
  readonly usergroupNames?: Readonly<Record<string, string>>;
  /** Side panels, in order. @default [] */
  readonly panels?: readonly PanelSource[];
  /** How often the page refreshes the panels. @default 2000 */
  readonly panelRefreshMs?: number;
  /** How much faster than the wall clock the local stack runs time (shown in the header); none when absent or 1. */
  readonly timeScale?: number;
  /** Commands offered as one-click examples. */
  readonly commandHints?: readonly string[];
  /**
   * "Run a command on the cluster as this person": runs `command` as the person's ONTAP account (as if
   * typed in an SSH session) and answers what the cluster logged. No control on the page when absent.
   */
  readonly clusterShell?: (user: string, command: string) => Promise<unknown>;
  /** Overrides of the app identity put in payloads (team, app id, bot ids, verification token). */
  readonly install?: Partial<AppInstall>;
  /** How long Slack waits for an acknowledgement. @default 3000 */
  readonly ackTimeoutMs?: number;
}

/** A node:http request handler; `next` is called for paths outside the sandbox (404 without it). */
export type SandboxHandler = ((req: IncomingMessage, res: ServerResponse, next?: () => void) => void) & {
  /** The emulator behind the page (for tests and the local stack's logs). */
  readonly platform: SlackPlatform;
  /** Ends the event streams and stops listening to the stand-in. */
  close(): void;
};

const DEFAULT_HINTS = ['/jit help', '/jit', '/jit list', '/jit svm1 vsadmin 2h fix snapmirror'];
const CLUSTER_HINTS = [
  'security jit-privilege elevate',
  'volume modify -vserver svm1 -volume vol1 -size 20g',
  'volume delete -vserver svm1 -volume vol_old',
  'security jit-privilege reset',
];
const PAGE_DIR = join(__dirname, 'page');
const MAX_BODY = 1_000_000;

// No inline script or style, nothing loaded from elsewhere: the page only talks to this server.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Creates the sandbox's request handler. */
export function createSandboxHandler(options: SandboxOptions): SandboxHandler {
  const base = (options.basePath ?? '/sandbox').replace(/\/+$/, '');
  const channels = options.channels ?? [{ id: 'C0APPROVALS', name: 'jit-approvals' }];
  const panels = options.panels ?? [];
  const platform = createSlackPlatform({
    slack: options.slack,
    ingressUrl: options.ingressUrl,
    signingSecret: options.signingSecret,
    channels,
    ...(options.install ? { install: options.install } : {}),
    ...(options.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
  });
  const settings: SnapshotSettings = {
    appName: options.appName ?? 'JIT Access',
    channels,
    userNotes: options.userNotes ?? EXAMPLE_USER_NOTES,
    panelTitles: panels.map((p) => p.title),
    timeScale: options.timeScale !== undefined && options.timeScale !== 1 ? options.timeScale : null,
    panelRefreshMs: options.panelRefreshMs ?? 2000,
    commandHints: options.commandHints ?? DEFAULT_HINTS,
    usergroupNames: options.usergroupNames ?? {},
    clusterShellHints: options.clusterShell ? CLUSTER_HINTS : null,
  };

  const defaultUser = options.defaultUser ?? options.slack.directory.users[0]?.id ?? '';
  let version = 0;
  const streams = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  // Many stand-in changes arrive in bursts (post + update); one event per burst is enough.
  const onChange = (): void => {
    version += 1;
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const stream of streams) stream.write(`event: change\ndata: ${version}\n\n`);
    }, 25);
  };
  options.slack.events.on('change', onChange);
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  let bundle: Promise<string> | undefined;
  const script = (): Promise<string> => (bundle ??= buildScript());

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '') return redirect(res, `${base}/`);
    if (method === 'GET' && (path === '/' || path === '/index.html'))
      return sendFile(res, 'index.html', 'text/html; charset=utf-8');
    if (method === 'GET' && path === '/app.css') return sendFile(res, 'styles.css', 'text/css; charset=utf-8');
    if (method === 'GET' && path === '/app.js')
      return sendText(res, 200, await script(), 'text/javascript; charset=utf-8');
    if (method === 'GET' && path === '/api/state') {
      return sendJson(res, 200, buildSnapshot(options.slack, settings, query.get('user') || defaultUser, version));
    }
    if (method === 'GET' && path === '/api/events') return openStream(req, res);
    if (method === 'GET' && path === '/api/requests') return sendJson(res, 200, requestLog(platform));
    const panel = /^\/api\/panels\/(\d+)$/.exec(path);
    if (method === 'GET' && panel) {
      const source = panels[Number(panel[1])];
      if (!source) throw new SandboxRequestError('No such panel.');
      return sendJson(res, 200, await loadPanel(source, panelContext(query)));
    }
    if (method === 'POST' && path === '/api/command') {
      const body = await readJson(req, COMMAND_REQUEST);
      return sendJson(res, 200, await platform.runCommand(body.user, body.channel, body.line));
    }
    if (method === 'POST' && path === '/api/cluster-command') {
      if (!options.clusterShell) throw new SandboxRequestError('No cluster to run commands on.');
      const b = await readJson(req, CLUSTER_COMMAND_REQUEST);
      return sendJson(res, 200, await options.clusterShell(b.user, b.command));
    }
    if (method === 'POST' && path === '/api/message-action') {
      const b = await readJson(req, MESSAGE_ACTION_REQUEST);
      return sendJson(
        res,
        200,
        await platform.messageAction(b.user, b.channel, b.ts, b.blockId, b.actionId, b.entries),
      );
    }
    if (method === 'POST' && path === '/api/view-action') {
      const b = await readJson(req, VIEW_ACTION_REQUEST);
      return sendJson(res, 200, await platform.viewAction(b.user, b.viewId, b.blockId, b.actionId, b.entries));
    }
    if (method === 'POST' && path === '/api/view-submit') {
      const b = await readJson(req, VIEW_SUBMIT_REQUEST);
      return sendJson(res, 200, await platform.submitView(b.user, b.viewId, b.entries));
    }
    if (method === 'POST' && path === '/api/home-open') {
      const b = await readJson(req, HOME_OPEN_REQUEST);
      return sendJson(res, 200, await platform.openHome(b.user));
    }
    if (method === 'POST' && path === '/api/home-action') {
      const b = await readJson(req, HOME_ACTION_REQUEST);
      return sendJson(res, 200, await platform.homeAction(b.user, b.blockId, b.actionId, b.entries));
    }
    if (method === 'POST' && path === '/api/view-close') {
      const b = await readJson(req, VIEW_CLOSE_REQUEST);
      await platform.closeView(b.user, b.viewId, b.all);
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: 'Not found.' });
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 1000\nevent: change\ndata: ${version}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next?: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      if (next) next();
      else sendJson(res, 404, { error: 'Not found.' });
      return;
    }
    route(req, res, url.pathname.slice(base.length), url.searchParams).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof SandboxError) return sendJson(res, error.status, { error: error.message });
      sendJson(res, 500, { error: error instanceof Error ? error.message : 'Internal error.' });
    });
  };

  return Object.assign(handler, {
    platform,
    close(): void {
      options.slack.events.off('change', onChange);
      clearInterval(keepAlive);
      if (pending) clearTimeout(pending);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  });
}

function panelContext(query: URLSearchParams): PanelContext {
  const channel = query.get('channel');
  const ts = query.get('ts');
  return {
    user: query.get('user') ?? '',
    ...(channel && ts ? { selected: { channel, ts, text: query.get('text') ?? '' } } : {}),
  };
}

function requestLog(platform: SlackPlatform): SnapshotRequest[] {
  return platform.sent
    .slice(-50)
    .reverse()
    .map((r) => ({
      at: r.at,
      kind: r.kind,
      user: r.user,
      status: r.status,
      payload: JSON.stringify(r.payload, null, 2),
      answer: r.answer,
    }));
}

// The page's script is TypeScript sharing the renderer with the tests; esbuild bundles it once, on first use.
async function buildScript(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(PAGE_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new SandboxError(500, 'The page script did not build.');
  return output.text;
}

async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  // A JSON content type cannot be sent cross-site without a preflight, which this server never grants.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new SandboxRequestError('Send JSON.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SandboxRequestError('Request too large.');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new SandboxRequestError('Malformed JSON.', { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SandboxRequestError(
      `Invalid request at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return parsed.data;
}

async function sendFile(res: ServerResponse, name: string, type: string): Promise<void> {
  sendText(res, 200, await readFile(join(PAGE_DIR, name), 'utf8'), type);
}

function sendText(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': type });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}
