/**
 * The dependency calls each kind of Slack request makes before the ingress answers Slack (Bolt's
 * Lambda receiver answers only when the listener has finished, so every one of them counts against
 * Slack's 3 seconds): Slack Web API calls (response_url posts included), DynamoDB operations and Step
 * Functions calls, counted over the real ingress, the Slack stand-in, dynalite and a Step Functions
 * recorder. Calls, not milliseconds: the benchmark turns them into time under an AWS-like profile.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../../lambdas/config/load';
import type { AccessRequest } from '../../lambdas/domain/request';
import { createSlackApp } from '../../lambdas/slack/app';
import { approvalMessage } from '../../lambdas/slack/blocks/approval-message';
import { RequestStore } from '../../lambdas/store/requests';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { nodeListenerFor } from '../../local/slack-ingress-server';
import { RunCounters } from '../../local/stepfunctions/counters';
import { requestIn, T0 } from '../support/requests';
import {
  APPROVALS,
  BOT_TOKEN,
  commandBody,
  interactionBody,
  messageClick,
  SIGNING_SECRET,
  signedHeaders,
  submissionOf,
  TEAM,
  viewState,
} from '../support/slack';
import { type StepFunctionsRecorder, startStepFunctionsRecorder } from '../support/step-functions';

/** What one request cost before its answer. */
interface Cost {
  /** Web API methods, in the order called; `response_url` for a post to the interaction's response URL. */
  readonly slack: string[];
  /** DynamoDB operations by name. */
  readonly dynamo: Record<string, number>;
  /** Step Functions actions, in order. */
  readonly sfn: string[];
}

let dynamo: EmbeddedDynamo;
let store: RequestStore;
let slack: SlackApiStandIn;
let sfn: StepFunctionsRecorder;
let server: Server;
let url: string;
let counters: RunCounters;
const config = loadConfig();

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 400 * 86400 });
  slack = await startSlackApi({ botToken: BOT_TOKEN });
  sfn = await startStepFunctionsRecorder();
});

afterAll(async () => {
  await slack.close();
  await sfn.close();
  await dynamo.close();
});

/** Each test starts a fresh ingress (as a new Lambda instance would be): nothing cached from another test. */
beforeEach(async () => {
  const logs: string[] = [];
  const app = createSlackApp({
    config,
    store,
    workflow: sfn.workflow,
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    slackApiUrl: slack.url,
    clock: { now: () => Date.parse(T0) },
    logger: sinkLogger((line) => logs.push(line), 'ontap-jit-slack', 'debug'),
    metrics: sinkMetrics((line) => logs.push(line), 'ontap-jit-slack'),
  });
  server = createServer(nodeListenerFor(app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
});

let stopCounting: (() => void) | undefined;
beforeEach(() => {
  counters = new RunCounters();
  stopCounting = counters.countDynamo(dynamo.client);
});
afterEach(() => stopCounting?.());

/** Posts a signed form body and returns the answer and what it cost, counting only while it was in flight. */
async function measured(body: string): Promise<{ status: number; text: string; cost: Cost }> {
  const slackBefore = slack.calls.length;
  const responsesBefore = slack.responses.length;
  const sfnBefore = sfn.calls.length;
  const dynamoBefore = { ...counters.dynamo.byOperation };
  const res = await fetch(url, {
    method: 'POST',
    headers: signedHeaders(body, 'application/x-www-form-urlencoded'),
    body,
  });
  const text = await res.text();
  const dynamoOps: Record<string, number> = {};
  for (const [op, n] of Object.entries(counters.dynamo.byOperation)) {
    const d = n - (dynamoBefore[op] ?? 0);
    if (d > 0) dynamoOps[op] = d;
  }
  const web = slack.calls.slice(slackBefore).map((c) => c.method);
  const posts = slack.responses.slice(responsesBefore).map(() => 'response_url');
  const cost = { slack: [...web, ...posts], dynamo: dynamoOps, sfn: sfn.calls.slice(sfnBefore).map((c) => c.target) };
  return { status: res.status, text, cost };
}

const command = (user: string, text: string) =>
  measured(commandBody({ user, text, trigger: slack.issueTrigger(user), responseUrl: slack.issueResponseUrl() }));

const interact = (payload: Record<string, unknown>) => measured(interactionBody(payload));

/** A click on the request's approval message. */
const click = (user: string, actionId: string, request: AccessRequest) =>
  interact(
    messageClick({
      user,
      ref: request.slack.approval ?? { channel: APPROVALS, ts: '0.000000' },
      actionId,
      value: request.id,
      triggerId: slack.issueTrigger(user),
      responseUrl: slack.issueResponseUrl(),
      nowMs: Date.parse(T0),
    }),
  );

let serial = 0;

/** A request in `status` the workflow waits on: recorded, approval message posted, the wait's token kept. */
async function waitingRequest(status: 'PENDING' | 'ACTIVE' = 'PENDING'): Promise<AccessRequest> {
  const created = await store.create(requestIn(status));
  const message = approvalMessage(created);
  const web = new WebClient(BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  const posted = await web.chat.postMessage({ channel: APPROVALS, text: message.text, blocks: message.blocks });
  const ref = { channel: String(posted.channel), ts: String(posted.ts) };
  const kind = status === 'PENDING' ? 'approval' : 'end';
  const token = `token-${++serial}`;
  await store.setToken(created.id, kind, token, [status]);
  const { stored } = await store.update(created.id, [status], (s) => ({
    ...s,
    request: { ...s.request, slack: { ...s.request.slack, approval: ref } },
  }));
  sfn.waitWith(token);
  return stored.request;
}

/** Opens the request modal as `user` (not counted) and returns its view id. */
async function openedModal(user: string): Promise<string> {
  await command(user, '');
  const opened = [...slack.views.values()].filter((v) => v.user === user).at(-1);
  if (!opened) throw new Error('no modal opened');
  return opened.id;
}

describe('calls made before Slack gets its answer', () => {
  it('/jit (the request modal): who asks, then views.open; no DynamoDB, no workflow', async () => {
    const { status, cost } = await command('U0ALICE', '');
    expect(status).toBe(200);
    expect(cost).toEqual({ slack: ['users.info', 'usergroups.users.list', 'views.open'], dynamo: {}, sfn: [] });
  });

  it('/jit again within the minute: nothing but views.open, the person and their groups from the cache', async () => {
    await command('U0ALICE', '');
    const { cost } = await command('U0ALICE', '');
    expect(cost).toEqual({ slack: ['views.open'], dynamo: {}, sfn: [] });
  });

  it('/jit <one line>: who asks, the open-request count, the conditional write, the start; the reply is the answer', async () => {
    const { text, cost } = await command('U0ALICE', 'cluster1/svm1 vsadmin 2h fix snapmirror');
    expect(JSON.parse(text)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Submitted') });
    // The workflow writes the REQUESTED audit item and records its own execution ARN.
    expect(cost).toEqual({
      slack: ['users.info', 'usergroups.users.list'],
      dynamo: { Query: 1, PutItem: 1 },
      sfn: ['StartExecution'],
    });
  });

  it('the modal submitted: who asks, the open-request count, the conditional write, the start', async () => {
    const viewId = await openedModal('U0ALICE');
    const payload = submissionOf(slack, 'U0ALICE', viewId, { justification: 'Fix the snapmirror schedule' });
    const { text, cost } = await interact(payload);
    expect(text).toBe('');
    expect(cost).toEqual({ slack: [], dynamo: { Query: 1, PutItem: 1 }, sfn: ['StartExecution'] });
  });

  it('the modal redrawn for another SVM: who asks, then views.update', async () => {
    const viewId = await openedModal('U0ALICE');
    const stored = slack.views.get(viewId);
    const values = viewState(stored?.view ?? {}, { target: 'cluster1/cluster1' });
    const { cost } = await interact({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: TEAM },
      api_app_id: 'A0JIT',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: viewId },
      trigger_id: slack.issueTrigger('U0ALICE'),
      team: { id: TEAM, domain: 'local' },
      view: { ...stored?.view, id: viewId, hash: stored?.hash, state: { values } },
      actions: [
        {
          type: 'static_select',
          action_id: 'target',
          block_id: 'target',
          selected_option: { text: { type: 'plain_text', text: 'cluster1' }, value: 'cluster1/cluster1' },
          action_ts: '1.1',
        },
      ],
    });
    expect(cost).toEqual({ slack: ['views.update'], dynamo: {}, sfn: [] });
  });

  it('/jit list: one query; the list is the answer', async () => {
    const { text, cost } = await command('U0ALICE', 'list');
    expect(JSON.parse(text)).toMatchObject({ response_type: 'ephemeral' });
    expect(cost).toEqual({ slack: [], dynamo: { Query: 1 }, sfn: [] });
  });

  it('Approve: the request once, the approver and the requester afresh, the conditional write, the signal', async () => {
    const request = await waitingRequest();
    const { cost } = await click('U0BOB', 'jit_approve', request);
    expect(cost.sfn).toEqual(['SendTaskSuccess']);
    // The write lands on the copy read with the token; the audit item is written while the signal goes.
    expect(cost.dynamo).toEqual({ GetItem: 1, PutItem: 2 });
    expect(cost.slack.sort()).toEqual(['users.info', 'users.info', 'usergroups.users.list'].sort());
  });

  it('Deny: the checks, then the reason modal; its submission records and signals', async () => {
    const request = await waitingRequest();
    const clicked = await click('U0BOB', 'jit_deny', request);
    expect(clicked.cost.dynamo).toEqual({ GetItem: 1 });
    expect(clicked.cost.sfn).toEqual([]);
    expect(clicked.cost.slack.sort()).toEqual(
      ['users.info', 'users.info', 'usergroups.users.list', 'views.open'].sort(),
    );
    const modal = [...slack.views.values()].filter((v) => v.user === 'U0BOB').at(-1);
    const submitted = await interact(submissionOf(slack, 'U0BOB', String(modal?.id), { reason: 'Not this week' }));
    expect(submitted.cost.sfn).toEqual(['SendTaskSuccess']);
    expect(submitted.cost.dynamo).toEqual({ GetItem: 1, PutItem: 2 });
    expect(submitted.cost.slack.sort()).toEqual(['users.info', 'users.info', 'usergroups.users.list'].sort());
  });

  it('Cancel by the requester: the request, the conditional write, the signal; no Slack lookup', async () => {
    const request = await waitingRequest();
    const { cost } = await click('U0ALICE', 'jit_cancel', request);
    expect(cost.sfn).toEqual(['SendTaskSuccess']);
    // The check before the confirmation's answer reads it once, the cancel once more.
    expect(cost.dynamo).toEqual({ GetItem: 2, PutItem: 2 });
    // The requester takes back their own request by their Slack id: Slack is not asked who they are.
    expect(cost.slack).toEqual([]);
  });

  it('Revoke now by the requester: the request, the conditional write, the end signal; no Slack lookup', async () => {
    const request = await waitingRequest('ACTIVE');
    const { cost } = await click('U0ALICE', 'jit_revoke', request);
    expect(cost).toEqual({ slack: [], dynamo: { GetItem: 1, PutItem: 2 }, sfn: ['SendTaskSuccess'] });
  });

  it('Revoke now: the request, the person, the conditional write, the end signal', async () => {
    const request = await waitingRequest('ACTIVE');
    const { cost } = await click('U0BOB', 'jit_revoke', request);
    expect(cost.sfn).toEqual(['SendTaskSuccess']);
    expect(cost.dynamo).toEqual({ GetItem: 1, PutItem: 2 });
    expect(cost.slack.sort()).toEqual(['users.info', 'usergroups.users.list'].sort());
  });
});
