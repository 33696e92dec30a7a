/**
 * `npm start` as a person runs it: its own process, its printed URLs, and the whole story over
 * plain HTTP — a request typed as Alice, approved by Bob, the entry on the cluster, revoked early,
 * gone — with every Slack request signed the way Slack signs it.
 */
import { createHmac } from 'node:crypto';
import type { PanelTable } from '../../local/sandbox/panels';
import type { Snapshot, SnapshotMessage } from '../../local/sandbox/protocol';
import { freePort, type StartedProcess, startProcess } from '../support/npm-start';

const SECRET = 'e2e-signing-secret-1234567890';
let stack: StartedProcess;
let sandbox: string;
let events: string;

beforeAll(async () => {
  const port = await freePort();
  stack = await startProcess(['--port', String(port), '--speed', '60'], { SLACK_SIGNING_SECRET: SECRET });
  sandbox = stack.url('Slack sandbox');
  events = stack.url('Slack endpoint');
}, 90_000);
afterAll(async () => {
  await stack?.stop();
});

const post = async (path: string, body: unknown): Promise<unknown> => {
  const res = await fetch(`${sandbox}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
};
const state = async (user: string): Promise<Snapshot> =>
  (await (await fetch(`${sandbox}api/state?user=${user}`)).json()) as Snapshot;
const panel = async (index: number): Promise<PanelTable> =>
  (await (await fetch(`${sandbox}api/panels/${index}?user=U0ALICE`)).json()) as PanelTable;

/** Polls until `find` returns something (the workflow runs on its own). */
async function eventually<T>(find: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function button(message: SnapshotMessage, actionId: string): { blockId: string; actionId: string } | undefined {
  for (const block of message.blocks as { type: string; block_id?: string; elements?: { action_id?: string }[] }[]) {
    if (block.type === 'actions' && block.elements?.some((e) => e.action_id === actionId))
      return { blockId: block.block_id ?? '', actionId };
  }
  return undefined;
}

function sign(body: string, timestamp: number): Record<string, string> {
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}

describe('npm start', () => {
  it('prints every URL it serves and then ready', () => {
    for (const label of [
      'Slack sandbox',
      'Slack endpoint',
      'Slack Web API',
      'Step Functions',
      'DynamoDB',
      'ONTAP cluster1',
    ]) {
      expect(stack.url(label)).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
    }
    expect(stack.output()).toMatch(/^ready: open http:\/\/127\.0\.0\.1:\d+\/sandbox\/$/m);
    // How long start-up took on this machine, for the closing note (not asserted: speed is for benchmarks).
    process.stdout.write(`npm start ready after ${stack.readyAfterMs} ms\n`);
  });

  it('refuses an unsigned or badly signed Slack request with 401', async () => {
    const body = 'command=%2Fjit&text=help&user_id=U0ALICE&trigger_id=1.2';
    const unsigned = await fetch(events, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(unsigned.status).toBe(401);
    const stale = await fetch(events, {
      method: 'POST',
      headers: sign(body, Math.floor(Date.now() / 1000) - 3600),
      body,
    });
    expect(stale.status).toBe(401);
    const forged = await fetch(events, {
      method: 'POST',
      headers: { ...sign(body, Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=00' },
      body,
    });
    expect(forged.status).toBe(401);
  });

  it('accepts a correctly signed slash command (the answer itself goes to its response_url)', async () => {
    const body = new URLSearchParams({
      command: '/jit',
      text: 'help',
      user_id: 'U0ALICE',
      user_name: 'alice',
      team_id: 'T0LOCAL',
      channel_id: 'C0APPROVALS',
      trigger_id: '1.2',
      response_url: 'http://127.0.0.1:9/none',
    }).toString();
    const res = await fetch(events, { method: 'POST', headers: sign(body, Math.floor(Date.now() / 1000)), body });
    expect(res.status).toBe(200);
  });

  it('request, approve, grant on the cluster, revoke now, gone', async () => {
    await post('api/command', {
      user: 'U0ALICE',
      channel: 'C0APPROVALS',
      line: '/jit svm1 vsadmin 2h fix the snapmirror schedule',
    });

    const approval = await eventually(async () => {
      const bob = await state('U0BOB');
      return bob.messages.find((m) => m.channel === 'C0APPROVALS' && !m.ephemeral && button(m, 'jit_approve'));
    }, 'the approval message');
    expect(approval.text).toMatch(/alice|vsadmin/i);

    // Alice cannot approve her own request; nothing changes.
    await post('api/message-action', {
      user: 'U0ALICE',
      channel: approval.channel,
      ts: approval.ts,
      ...button(approval, 'jit_approve')!,
      entries: {},
    });
    const refused = await eventually(async () => {
      const alice = await state('U0ALICE');
      return alice.messages.find((m) => m.ephemeral && /own request/i.test(m.text + JSON.stringify(m.blocks)));
    }, 'the self-approval refusal');
    expect(refused).toBeDefined();

    await post('api/message-action', {
      user: 'U0BOB',
      channel: approval.channel,
      ts: approval.ts,
      ...button(approval, 'jit_approve')!,
      entries: {},
    });

    const entry = await eventually(async () => {
      const table = await panel(0);
      const account = table.columns.indexOf('account');
      return table.rows.find((row) => row[account] === 'alice');
    }, 'the JIT entry on the cluster');
    expect(entry.join(' ')).toMatch(/vsadmin/);

    const dm = await eventually(async () => {
      const alice = await state('U0ALICE');
      return alice.messages.find((m) => m.channel.startsWith('D') && button(m, 'jit_revoke'));
    }, 'the Revoke now button in the DM');
    await post('api/message-action', {
      user: 'U0ALICE',
      channel: dm.channel,
      ts: dm.ts,
      ...button(dm, 'jit_revoke')!,
      entries: {},
    });

    await eventually(async () => {
      const table = await panel(0);
      const account = table.columns.indexOf('account');
      return table.rows.some((row) => row[account] === 'alice') ? undefined : true;
    }, 'the entry to be removed');
    const requests = await eventually(async () => {
      const table = await panel(1);
      const status = table.columns.indexOf('status');
      return table.rows.find((row) => row[status] === 'REVOKED');
    }, 'the request to be REVOKED');
    expect(requests).toBeDefined();
    // The grant's activity digest is recorded right after its end.
    const events = await eventually(async () => {
      const audit = await panel(2);
      const event = audit.columns.indexOf('event');
      const rows = audit.rows.map((row) => row[event]);
      return rows.includes('ACTIVITY_DIGEST') ? rows : undefined;
    }, 'the activity digest in the audit trail');
    expect(events).toEqual(['REQUESTED', 'APPROVE', 'GRANTED', 'REVOKE_REQUESTED', 'REVOKED', 'ACTIVITY_DIGEST']);
  });

  it('stops cleanly on Ctrl-C', async () => {
    expect(await stack.stop()).toBe(0);
    expect(stack.output()).toMatch(/stopping/);
  });
});
