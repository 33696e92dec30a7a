/**
 * Secrets never leak. With recognisable secret values (the Slack signing secret and bot token, the
 * ONTAP password, and the Basic-auth header made from it), whole lifecycles run (approved and
 * revoked, denied, a grant the cluster refuses, a revoke that cannot complete, a forged Slack
 * request), the ONTAP client and Slack notifier built from the environment as in Lambda. None of
 * the secrets appears in any log line (runtime, Slack app, stdout, stderr, console), error or
 * reason, Slack message or call, DynamoDB item, ONTAP call or JIT entry comment, or execution output.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../lambdas/config/load';
import type { Fixture } from '../../local/ontap-sim/fixture';
import { fixtureWith, Tally } from '../support/hardening';
import { BOT_TOKEN, commandBody, SIGNING_SECRET, signedHeaders } from '../support/slack';
import { useWorkflowEnv } from '../support/workflow-env';

const ONTAP_USER = 'jit-automation';
const ONTAP_PASSWORD = 'Ontap-Pa55w0rd-4c1d-SECRET';
const SECRETS: Record<string, string> = {
  'Slack signing secret': SIGNING_SECRET,
  'Slack bot token': BOT_TOKEN,
  'ONTAP password': ONTAP_PASSWORD,
  'ONTAP Basic auth header': Buffer.from(`${ONTAP_USER}:${ONTAP_PASSWORD}`).toString('base64'),
};

const fixture: Fixture = {
  ...fixtureWith([]),
  api_users: [{ username: ONTAP_USER, password: ONTAP_PASSWORD, access: 'all' }],
};
const env = useWorkflowEnv({
  ingress: true,
  fixture,
  clientsFromEnvironment: true,
  config: parseConfig({
    clusters: [
      {
        name: 'cluster1',
        credentials: { usernameEnv: 'ONTAP_CLUSTER1_USERNAME', passwordEnv: 'ONTAP_CLUSTER1_PASSWORD' },
        timeout: '1s',
      },
    ],
    slack: { approvalChannel: 'C0APPROVALS', accounts: { map: { U0ALICE: 'alice', U0DAVE: 'dave' } } },
    policies: [
      {
        name: 'svm1-operators',
        clusters: ['cluster1'],
        svms: ['svm1'],
        roles: ['vsadmin'],
        requesters: 'anyone',
        approvers: { users: ['U0BOB', 'U0CAROL'] },
        defaultDuration: '1h',
        maxDuration: '8h',
        approvalTimeout: '4h',
      },
    ],
  }),
});

const saved = { ...process.env };
/** Everything written to stdout, stderr and the console while the scenarios ran. */
const printed: string[] = [];
const restore: (() => void)[] = [];
/** The figures, printed once the console is ours again. */
const summary: string[] = [];

beforeAll(() => {
  Object.assign(process.env, {
    ONTAP_CLUSTER1_USERNAME: ONTAP_USER,
    ONTAP_CLUSTER1_PASSWORD: ONTAP_PASSWORD,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: env().slack.url,
    JIT_TIME_SCALE: '3600',
    JIT_LOG_LEVEL: 'debug',
  });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      printed.push(
        args
          .map((a) =>
            a instanceof Error
              ? `${a.name}: ${a.message} ${String(a.stack)}`
              : typeof a === 'string'
                ? a
                : JSON.stringify(a),
          )
          .join(' '),
      );
    };
    restore.push(() => {
      console[level] = original;
    });
  }
});

afterAll(() => {
  for (const undo of restore.reverse()) undo();
  process.env = saved;
  if (summary.length > 0) console.log(summary.join('\n'));
});

const WHY = 'Rotate the export policy on svm1 tonight';

describe('secrets', () => {
  it('appear nowhere after approved, denied, failed and forged scenarios', async () => {
    const { sim, slack, store } = env();
    const scenarios = new Tally();

    // Approved, then revoked early by the requester.
    const approved = await env().ingress.request('U0ALICE', `svm1 vsadmin 2h ${WHY}`);
    await env().waiting(approved.executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', approved.id);
    await env().waiting(approved.executionArn, 'AwaitEnd');
    await env().ingress.click('U0ALICE', 'jit_revoke', approved.id);
    expect((await env().finished(approved.executionArn)).status).toBe('SUCCEEDED');
    expect((await store.get(approved.id)).status).toBe('REVOKED');
    scenarios.add('approved and revoked');

    // Denied with a reason.
    const denied = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${WHY}`);
    await env().waiting(denied.executionArn, 'AwaitApproval');
    await env().ingress.deny('U0CAROL', denied.id, 'Not tonight');
    await env().finished(denied.executionArn);
    scenarios.add('denied');

    // The cluster refuses the grant every time, with its error text in the reason.
    sim.faults.add({
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      times: 100,
      type: 'status',
      status: 500,
      message: 'Internal error. Node is not healthy.',
    });
    const failed = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${WHY}`);
    await env().waiting(failed.executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', failed.id);
    expect((await env().finished(failed.executionArn)).status).toBe('FAILED');
    expect((await store.get(failed.id)).status).toBe('FAILED');
    sim.faults.clear();
    scenarios.add('grant refused by the cluster');

    // A revoke that cannot complete (the alert path).
    sim.faults.add({ method: 'DELETE', path: '/api/security/jit-privilege-users/*', times: 100, type: 'reset' });
    const stuck = await env().ingress.request('U0ALICE', `svm1 vsadmin 1h ${WHY}`);
    await env().waiting(stuck.executionArn, 'AwaitApproval');
    await env().ingress.click('U0BOB', 'jit_approve', stuck.id);
    expect((await env().finished(stuck.executionArn)).status).toBe('FAILED');
    expect((await store.get(stuck.id)).status).toBe('REVOKE_FAILED');
    sim.faults.clear();
    scenarios.add('revoke failed (alert)');

    // Slack requests signed with the wrong secret, and a retry.
    const body = commandBody({
      user: 'U0ALICE',
      text: 'list',
      trigger: slack.issueTrigger('U0ALICE'),
      responseUrl: slack.issueResponseUrl(),
    });
    expect(
      (await env().ingress.post(body, signedHeaders(body, 'application/x-www-form-urlencoded', { secret: 'forged' })))
        .status,
    ).toBe(401);
    await env().ingress.post(body, signedHeaders(body, 'application/x-www-form-urlencoded', { retryNum: 1 }));
    scenarios.add('forged and retried Slack requests');

    // Everything the product wrote or sent anywhere.
    const items = (await env().dynamo.client.send(new ScanCommand({ TableName: env().dynamo.tableName }))).Items ?? [];
    const executions = env()
      .local.sfn.listExecutions()
      .map((e) => env().local.sfn.describeExecution({ executionArn: e.executionArn }));
    const places: Record<string, string[]> = {
      'workflow log lines': env().logs,
      'Slack app log lines': env().ingress.logs,
      'stdout, stderr and console': printed,
      'DynamoDB items': items.map((i) => JSON.stringify(i)),
      'Slack Web API calls (args)': slack.calls.map((c) => JSON.stringify(c.args)),
      'Slack messages': slack.messages.map((m) => JSON.stringify(m)),
      'Slack response_url posts': slack.responses.map((r) => JSON.stringify(r.body)),
      'ONTAP calls (paths, queries, bodies)': sim.calls().map((c) => JSON.stringify(c)),
      'JIT entries (comments)': sim.jitEntries().map((e) => JSON.stringify(e)),
      'execution outputs and errors': executions.map((e) => JSON.stringify(e)),
    };
    const found: string[] = [];
    for (const [place, lines] of Object.entries(places)) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (lines.some((l) => l.includes(secret))) found.push(`${name} in ${place}`);
      }
    }
    summary.push(
      ...[
        `Secrets: ${Object.keys(SECRETS).length} secret values searched in ${Object.keys(places).length} places after ${scenarios.entries().length} scenarios`,
        ...Object.entries(places).map(([place, lines]) => `  ${place}: ${lines.length} searched`),
        `  found: ${found.length === 0 ? 'none' : found.join('; ')}`,
      ],
    );
    // The search looked at something real: the failure reasons and the alert are there.
    expect(items.some((i) => JSON.stringify(i).includes('Node is not healthy'))).toBe(true);
    expect(env().logs.some((l) => l.includes('"RevokeFailed":1'))).toBe(true);
    // The ONTAP client was the one built from the environment (it logs each call at debug).
    expect(env().logs.some((l) => l.includes('"ontap.request"') && l.includes('"cluster":"cluster1"'))).toBe(true);
    expect(env().ingress.logs.some((l) => l.includes('slack request refused'))).toBe(true);
    expect(found).toEqual([]);
  });
});
