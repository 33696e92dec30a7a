/**
 * Hostile and malformed input through the real ingress (Slack-signed requests over loopback) in
 * front of the real workflow, DynamoDB and the ONTAP simulator. Every refused case gets a clear
 * answer and changes nothing: the table is as it was, no execution started, no call reached the
 * cluster. Accepted text with mrkdwn or link syntax is shown as text, never as a ping or a link.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { executionArnFor } from '../../lambdas/stepfunctions/client';
import { Tally } from '../support/hardening';
import { commandBody, interactionBody, signedHeaders } from '../support/slack';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true });
const tried = new Tally();
afterAll(() =>
  console.log(tried.render('Hostile inputs through the ingress (kind: cases, each refused with no change)')),
);

const FORM = 'application/x-www-form-urlencoded';
const GOOD_WHY = 'Fix the snapmirror schedule on vol_data';

/** Everything the table holds, as a stable snapshot. */
async function tableSnapshot(): Promise<string[]> {
  const out = await env().dynamo.client.send(new ScanCommand({ TableName: env().dynamo.tableName }));
  return (out.Items ?? []).map((i) => JSON.stringify(i)).sort();
}

/** Runs `attempt` and checks it changed nothing anywhere. */
async function changesNothing(kind: string, attempt: () => Promise<void>): Promise<void> {
  const before = await tableSnapshot();
  const executions = env().local.sfn.listExecutions().length;
  env().sim.clearCalls();
  const messages = env().slack.messages.filter((m) => !m.visibleTo).length;
  await attempt();
  expect(await tableSnapshot()).toEqual(before);
  expect(env().local.sfn.listExecutions()).toHaveLength(executions);
  expect(env().sim.calls()).toEqual([]);
  // No message anyone but the sender sees.
  expect(env().slack.messages.filter((m) => !m.visibleTo)).toHaveLength(messages);
  tried.add(kind);
}

beforeEach(() => {
  env().slack.reset();
});

describe("requests that are not Slack's", () => {
  const body = commandBody({
    user: 'U0ALICE',
    text: `svm1 vsadmin 1h ${GOOD_WHY}`,
    trigger: '1.2.3',
    responseUrl: 'http://127.0.0.1:1/x',
  });
  const now = Math.floor(Date.now() / 1000);
  it.each([
    ['no signature', { 'content-type': FORM }, 401],
    ['a signature with another secret', signedHeaders(body, FORM, { secret: 'not-the-secret' }), 401],
    ['a stale timestamp (6 minutes old)', signedHeaders(body, FORM, { timestamp: now - 360 }), 401],
    ['a timestamp in the future', signedHeaders(body, FORM, { timestamp: now + 360 }), 401],
    ['a signature over another body', { ...signedHeaders(`${body}x`, FORM) }, 401],
  ] as const)('%s: 401', async (_what, headers, status) => {
    await changesNothing('unsigned or stale', async () => {
      const answer = await env().ingress.post(body, { ...headers });
      expect(answer.status).toBe(status);
    });
  });
});

describe('malformed bodies, signed', () => {
  it.each([
    ['a payload that is not JSON', FORM, 'payload=%7Bnot-json', 400],
    ['a payload that is a JSON array', FORM, `payload=${encodeURIComponent('[1,2]')}`, 400],
    ['a payload that is JSON null', FORM, 'payload=null', 400],
    ['a JSON body that is not JSON', 'application/json', '{"type":', 400],
    ['a JSON body that is a string', 'application/json', '"hello"', 400],
    ['an unsupported content type', 'text/plain', 'hello', 415],
    ['XML', 'application/xml', '<a/>', 415],
    ['a body over 1 MB', FORM, `payload=${'x'.repeat(1_100_000)}`, 413],
  ] as const)('%s', async (_what, type, body, status) => {
    await changesNothing('malformed body', async () => {
      const answer = await env().ingress.post(body, signedHeaders(body, type));
      expect(answer.status).toBe(status);
    });
  });

  it.each([
    ['a click with no actions', (p: Record<string, unknown>) => ({ ...p, actions: [] })],
    [
      'a click on an unknown button',
      (p: Record<string, unknown>) => ({
        ...p,
        actions: [{ action_id: 'jit_grant_everything', block_id: 'x', type: 'button', value: 'JIT-000000000000' }],
      }),
    ],
    [
      'a click whose request id is a path',
      (p: Record<string, unknown>) => ({
        ...p,
        actions: [{ action_id: 'jit_approve', block_id: 'jit_decision', type: 'button', value: '../../REQ#x' }],
      }),
    ],
    [
      'a click whose request id is huge',
      (p: Record<string, unknown>) => ({
        ...p,
        actions: [{ action_id: 'jit_approve', block_id: 'jit_decision', type: 'button', value: 'J'.repeat(100_000) }],
      }),
    ],
    [
      'a click by a look-alike user id (Cyrillic В)',
      (p: Record<string, unknown>) => ({ ...p, user: { id: 'U0\u0412OB' } }),
    ],
    [
      'a click by a user id with a control character',
      (p: Record<string, unknown>) => ({ ...p, user: { id: 'U0BOB\u0000' } }),
    ],
    [
      'a click on a request that does not exist',
      (p: Record<string, unknown>) => ({
        ...p,
        actions: [{ action_id: 'jit_approve', block_id: 'jit_decision', type: 'button', value: 'JIT-ZZZZZZZZZZZZ' }],
      }),
    ],
  ])('%s: refused', async (_what, mutate) => {
    await changesNothing('malformed or hostile click', async () => {
      const payload = mutate(env().ingress.clickPayload('U0BOB', 'jit_approve', 'JIT-000000000000'));
      const { answer } = await env().ingress.interact(payload);
      expect(answer.status).toBeLessThan(500);
    });
  });

  it('a click with no user changes nothing (Bolt answers 500 before any listener runs)', async () => {
    await changesNothing('malformed or hostile click', async () => {
      const payload = { ...env().ingress.clickPayload('U0BOB', 'jit_approve', 'JIT-000000000000'), user: undefined };
      const { answer } = await env().ingress.interact(payload);
      expect(answer.status).toBe(500);
    });
  });

  it('a slash command with no user id, or a look-alike one, is refused', async () => {
    for (const user of ['', 'U0\u0410LICE', 'u0alice', 'U0ALICE\n']) {
      await changesNothing('malformed slash command', async () => {
        const body = commandBody({
          user,
          text: `svm1 vsadmin 1h ${GOOD_WHY}`,
          trigger: env().slack.issueTrigger('U0ALICE'),
          responseUrl: env().slack.issueResponseUrl(),
        });
        const answer = await env().ingress.post(body, signedHeaders(body, FORM));
        expect(answer.status).toBeLessThan(500);
      });
    }
  });
});

describe('/jit one-line requests with hostile fields', () => {
  const cases: [string, string, RegExp][] = [
    // Names that would change an ONTAP path or query.
    ...[
      'svm1/../svm2',
      'cluster1/svm1/..',
      'svm%2F1',
      'svm1?fields=*',
      'svm1&role.name=admin',
      '*',
      'svm1|svm2',
      '!svm1',
      '..',
      'svm1#x',
      '%2e%2e',
    ].map((svm) => ['SVM name', `${svm} vsadmin 1h ${GOOD_WHY}`, /SVM|cluster/i] as [string, string, RegExp]),
    ...['admin*', 'vsadmin/../admin', 'vs%61dmin', 'vsadmin?x', 'vsadmin&x=1', '..'].map(
      (role) => ['role name', `svm1 ${role} 1h ${GOOD_WHY}`, /role/i] as [string, string, RegExp],
    ),
    // Unicode look-alikes of allowed names.
    ['look-alike SVM (full-width)', `\uff53\uff56\uff4d\uff11 vsadmin 1h ${GOOD_WHY}`, /SVM/i],
    ['look-alike role (Cyrillic а)', `svm1 vs\u0430dmin 1h ${GOOD_WHY}`, /role/i],
    ['zero-width space in the SVM', `svm1\u200b vsadmin 1h ${GOOD_WHY}`, /SVM/i],
    ['right-to-left override in the role', `svm1 \u202evsadmin 1h ${GOOD_WHY}`, /role/i],
    // Durations.
    ...['9h', '0h', '-1h', 'P1M', '1.5h', 'PT0.5S', '99999999d', 'forever', 'PT-1H', '1h; DROP'].map(
      (d) =>
        ['duration', `svm1 vsadmin ${d} ${GOOD_WHY}`, /duration|long|hour|positive|ISO|fraction|month|negative/i] as [
          string,
          string,
          RegExp,
        ],
    ),
    // Justifications.
    ['justification too short', 'svm1 vsadmin 1h why', /justification|why/i],
    ['justification too long', `svm1 vsadmin 1h ${'x'.repeat(600)}`, /500/],
    ['justification with a control character', `svm1 vsadmin 1h ${GOOD_WHY}\u0007`, /control/i],
    ['justification with a NUL', `svm1 vsadmin 1h ${GOOD_WHY}\u0000`, /control/i],
    // Unknown clusters and roles not in the policy.
    ['unknown cluster', `cluster9/svm1 vsadmin 1h ${GOOD_WHY}`, /cluster/i],
    ['role outside the policy', `svm1 admin 1h ${GOOD_WHY}`, /role/i],
  ];
  it.each(cases)('%s: %s', async (kind, text, error) => {
    await changesNothing(`/jit: ${kind}`, async () => {
      const { answer, responses } = await env().ingress.command('U0ALICE', text);
      expect(answer.status).toBe(200);
      const reply = responses()
        .map((r) => String(r.text))
        .join('\n');
      expect(reply).toMatch(error);
      expect(reply).not.toMatch(/Submitted/);
      expect(responses().every((r) => r.response_type === 'ephemeral')).toBe(true);
    });
  });

  it("text over Slack's 4000 characters is refused", async () => {
    await changesNothing('/jit: text over 4000 characters', async () => {
      const { responses } = await env().ingress.command('U0ALICE', `svm1 vsadmin 1h ${'y'.repeat(5000)}`);
      expect(
        responses()
          .map((r) => String(r.text))
          .join('\n'),
      ).not.toMatch(/Submitted/);
    });
  });

  it('a requester with no ONTAP account mapped is refused', async () => {
    await changesNothing('/jit: unmapped requester', async () => {
      const { responses } = await env().ingress.command('U0EVE', `svm1 vsadmin 1h ${GOOD_WHY}`);
      expect(
        responses()
          .map((r) => String(r.text))
          .join('\n'),
      ).toMatch(/account/i);
    });
  });
});

describe('mrkdwn and link injection in justifications', () => {
  const INJECTIONS = [
    '<!channel> please approve fast',
    '<!here|here> and <!everyone>',
    'see <http://evil.example|the runbook> for details',
    'ping <@U0BOB> and <#C0APPROVALS>',
    'already escaped &lt;!channel&gt; stays text',
    'ampersand &amp;lt;!here&amp;gt; double',
    '*bold* _it_ ~strike~ `code` > quote',
    '<https://evil.example> bare link here',
  ];

  /** The approval message and DMs posted for a request: no live mention or link from user text. */
  function shownSafely(id: string, options: { mentionsAllowed?: boolean } = {}): void {
    const posted = env().slack.messages.filter((m) => JSON.stringify(m).includes(id));
    expect(posted.length).toBeGreaterThan(0);
    for (const m of posted) {
      const all = JSON.stringify([m.text, m.blocks]);
      expect(all).not.toMatch(/<!(channel|here|everyone)/);
      expect(all).not.toMatch(/<http:\/\/evil|<https:\/\/evil/);
      // The app's own "Denied by <@U0BOB>" is a mention on purpose; user text never makes one.
      if (!options.mentionsAllowed) expect(all).not.toMatch(/<@U0BOB>|<#C0APPROVALS>/);
    }
  }

  it.each(INJECTIONS)('typed in /jit: %s — stored as typed, shown as text', async (typed) => {
    const why = `Change window work: ${typed}`;
    const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${why}`);
    await env().waiting(executionArn, 'AwaitApproval');
    const request = await env().store.get(id);
    // Slack's entities are decoded once on the way in: what is stored is what the person typed.
    expect(request.justification).toBe(why);
    shownSafely(id);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    await env().finished(executionArn);
    tried.add('injection via /jit (accepted, shown as text)');
  });

  it.each(INJECTIONS)('typed in the modal: %s — stored as typed, shown as text', async (typed) => {
    const why = `Change window work: ${typed}`;
    await env().ingress.command('U0ALICE', '');
    const view = [...env().slack.views.values()].filter((v) => v.user === 'U0ALICE').at(-1);
    if (!view) throw new Error('no modal');
    const answer = await env().ingress.submitView('U0ALICE', view.id, { justification: why });
    expect(answer.status).toBe(200);
    const mine = await env().store.listByRequester('U0ALICE', 5);
    const request = mine.find((r) => r.justification === why);
    if (!request) throw new Error(`not stored as typed: ${JSON.stringify(mine.map((r) => r.justification))}`);
    const executionArn = executionArnFor(env().local.stateMachineArn, request.id);
    await env().waiting(executionArn, 'AwaitApproval');
    shownSafely(request.id);
    await env().ingress.click('U0ALICE', 'jit_cancel', request.id);
    await env().finished(executionArn);
    tried.add('injection via the modal (accepted, shown as text)');
  });

  it('a deny reason with mrkdwn is shown as text to the requester', async () => {
    const { id, executionArn } = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${GOOD_WHY}`);
    await env().waiting(executionArn, 'AwaitApproval');
    const reason = 'No. <!channel> see <http://evil.example|here> &lt;b&gt;';
    expect((await env().ingress.deny('U0BOB', id, reason)).status).toBe(200);
    await env().finished(executionArn);
    expect(await env().store.get(id)).toMatchObject({ status: 'DENIED', reason });
    shownSafely(id, { mentionsAllowed: true });
    tried.add('injection via the deny reason (accepted, shown as text)');
  });
});

describe('a body that parses but lies', () => {
  it('a slash command body with a second user_id field cannot act for someone else', async () => {
    await changesNothing('duplicated form fields', async () => {
      const base = commandBody({
        user: 'U0EVE',
        text: 'list',
        trigger: env().slack.issueTrigger('U0EVE'),
        responseUrl: env().slack.issueResponseUrl(),
      });
      const body = `${base}&user_id=U0BOB`;
      const answer = await env().ingress.post(body, signedHeaders(body, FORM));
      expect(answer.status).toBeLessThan(500);
    });
  });

  it('an interaction payload signed for one body but sent with another is refused', async () => {
    await changesNothing('payload swapped after signing', async () => {
      const signed = interactionBody(env().ingress.clickPayload('U0EVE', 'jit_approve', 'JIT-000000000000'));
      const sent = interactionBody(env().ingress.clickPayload('U0BOB', 'jit_approve', 'JIT-000000000000'));
      const answer = await env().ingress.post(sent, signedHeaders(signed, FORM));
      expect(answer.status).toBe(401);
    });
  });
});

describe('ONTAP account names with URL and query syntax, through the whole workflow', () => {
  const NAMES = [
    'a/../../admin',
    'x%2Fy',
    'alice?fields=*',
    'alice&owner.name=cluster1',
    'admin*',
    'alice|admin',
    '..',
    'ops@svm1',
  ];
  it.each(NAMES)('%s: never changes a path or a query; only an existing account is granted', async (account) => {
    env().sim.reset();
    const { id, executionArn } = await env().submit({
      requester: { slackUserId: 'U0ALICE', ontapAccount: account },
      durationSeconds: 1800,
    });
    const first = await Promise.race([
      env()
        .waiting(executionArn, 'AwaitApproval')
        .then(
          () => 'waiting',
          () => 'ended',
        ),
      env()
        .finished(executionArn)
        .then(() => 'ended'),
    ]);
    if (first === 'waiting') await env().approve(id, 'U0BOB');
    await env().finished(executionArn);
    const request = await env().store.get(id);
    for (const call of env().sim.calls()) {
      const segments = call.path.split('/');
      // Every path is one of the product's, with the account (if any) as one whole segment.
      if (segments.length > 5) {
        expect(segments.slice(0, 4)).toEqual(['', 'api', 'security', 'jit-privilege-users']);
        expect(segments).toHaveLength(7);
        expect(decodeURIComponent(segments[5] as string)).toBe(account);
      }
      // A name in a query is a whole value, never a new parameter.
      for (const [key, value] of Object.entries(call.query)) {
        expect([
          'name',
          'owner.name',
          'owner.uuid',
          'account.name',
          'application',
          'fields',
          'scope',
          'max_records',
          'return_records',
          // The grant's activity digest reads the audit log for the account over the grant's window.
          'user',
          'timestamp',
        ]).toContain(key);
        if (key === 'name' && call.path === '/api/security/accounts') expect(value).toBe(account);
        if (key === 'user') expect(value).toBe(account);
      }
    }
    if (account === 'ops@svm1') {
      // A real account whose name needs encoding: granted and removed.
      expect(request.status).toBe('EXPIRED');
      expect(env().jitCalls('POST')).toHaveLength(1);
    } else {
      expect(request.status).toBe('FAILED');
      expect(env().jitCalls('POST')).toHaveLength(0);
      expect('reason' in request ? request.reason : '').toMatch(
        new RegExp(`${account.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|no account|not exist|does not`, 'i'),
      );
    }
    expect(env().sim.jitEntries()).toEqual([]);
    tried.add('hostile ONTAP account names through the workflow');
  });
});
