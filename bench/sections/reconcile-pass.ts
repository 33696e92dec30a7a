/**
 * One reconciler pass: its DynamoDB reads and writes and its time, with 0, 1,000 and 10,000 stored
 * requests, and with none or some of them needing work (live grants past their end, whose entries
 * the ONTAP simulator no longer has). The pass reads the needs-attention index only, so its cost
 * should be flat in stored requests and linear in those that need work.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { parseConfig } from '../../lambdas/config/load';
import { newRequest } from '../../lambdas/domain/request';
import { transition } from '../../lambdas/domain/transitions';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { OntapClient } from '../../lambdas/ontap';
import { scaledClock } from '../../lambdas/runtime/clock';
import { SlackDirectory } from '../../lambdas/slack/directory';
import { Notifier } from '../../lambdas/slack/notifier';
import { WorkflowClient } from '../../lambdas/stepfunctions/client';
import { RequestStore } from '../../lambdas/store/requests';
import { startEmbeddedDynamo } from '../../local/dynamodb';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { startOntapSimulator } from '../../local/ontap-sim';
import { startSlackApi } from '../../local/slack-api/server';
import { RunCounters, startLocalWorkflow } from '../../local/stepfunctions';
import { round } from '../stats';

/** One measured pass. */
export interface PassFigures {
  readonly storedRequests: number;
  readonly needingWork: number;
  readonly due: number;
  readonly repaired: number;
  readonly reads: number;
  readonly writes: number;
  readonly ms: number;
}

const SVM1 = '02c9e252-41be-11e9-81d5-00a0986138f7';
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Measures a pass at each stored level, with no work and with `work` overdue grants. */
export async function measureReconcilePass(levels: readonly number[], work: readonly number[]): Promise<PassFigures[]> {
  const clock = scaledClock(1);
  const dynamo = await startEmbeddedDynamo();
  const sim = await startOntapSimulator({ clock });
  const slack = await startSlackApi();
  const local = await startLocalWorkflow({ clock });
  const counters = new RunCounters();
  const stopCounting = counters.countDynamo(dynamo.client);
  const store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 90 * 86400 });
  const ontap = new OntapClient({
    endpoint: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    ...(sim.caPem ? { ca: sim.caPem } : {}),
    timeoutMs: 5000,
  });
  const rt = {
    config: parseConfig({
      clusters: [{ name: 'cluster1', endpoint: sim.url }],
      slack: { approvalChannel: 'C0APPROVALS', accounts: { map: { U0ALICE: 'alice' } } },
      policies: [
        {
          name: 'bench',
          clusters: ['cluster1'],
          svms: ['svm1'],
          roles: ['vsadmin'],
          requesters: 'anyone',
          approvers: { users: ['U0BOB'] },
          defaultDuration: '1h',
          maxDuration: '8h',
          approvalTimeout: '1h',
        },
      ],
    }),
    store,
    notifier: new Notifier({
      client: new WebClient('xoxb-bench', { slackApiUrl: slack.url }),
      approvalChannel: 'C0APPROVALS',
    }),
    directory: new SlackDirectory({
      web: new WebClient('xoxb-bench', { slackApiUrl: slack.url }),
      accounts: { map: { U0ALICE: 'alice' }, emailLocalPart: false, trustedEmailDomains: [], people: {} },
      now: () => clock.now(),
      groupTtlSeconds: 0,
    }),
    workflow: new WorkflowClient({ client: local.sfnClient(), stateMachineArn: local.stateMachineArn }),
    clock,
    logger: sinkLogger(() => undefined, 'bench', 'error'),
    metrics: sinkMetrics(() => undefined, 'bench'),
    ontap: async () => ontap,
  };
  const figures: PassFigures[] = [];
  let stored = 0;
  let serial = 0;
  try {
    const template = await storedTemplate(store, dynamo.client, dynamo.tableName);
    for (const level of levels) {
      stored = await preload(dynamo.client, dynamo.tableName, template, stored, level);
      for (const n of work) {
        for (let i = 0; i < n; i++) {
          await store.create(overdueGrant(`BENCH-OVERDUE-${String(serial++).padStart(6, '0')}`, clock.now()));
        }
        const before = { reads: counters.dynamo.reads, writes: counters.dynamo.writes };
        const started = performance.now();
        const result = await reconcile(rt, rt.logger);
        figures.push({
          storedRequests: level,
          needingWork: n,
          due: result.due,
          repaired: result.repaired,
          reads: counters.dynamo.reads - before.reads,
          writes: counters.dynamo.writes - before.writes,
          ms: round(performance.now() - started, 1),
        });
      }
    }
  } finally {
    stopCounting();
    ontap.close();
    await local.close();
    await slack.close();
    await sim.close();
    await dynamo.close();
  }
  return figures;
}

/** A finished request as the store writes it (the request item), to copy under other ids. */
async function storedTemplate(
  store: RequestStore,
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, AttributeValue>> {
  const request = newRequest(base('BENCH-TEMPLATE-0', Date.now()));
  const done = transition(request, { type: 'CANCEL', by: 'U0ALICE', at: request.createdAt }).next;
  await store.create(done);
  const key = { pk: { S: 'REQ#BENCH-TEMPLATE-0' }, sk: { S: 'REQUEST' } };
  const out = await client.send(new GetItemCommand({ TableName: table, Key: key }));
  if (!out.Item) throw new Error('template not stored');
  return out.Item;
}

/** Fills the table up to `target` finished requests (copies of the template), as fast as BatchWriteItem goes. */
async function preload(
  client: DynamoDBClient,
  table: string,
  template: Record<string, AttributeValue>,
  from: number,
  target: number,
): Promise<number> {
  for (let i = from; i < target; i += 25) {
    const items = Array.from({ length: Math.min(25, target - i) }, (_, k) => {
      const id = `BENCH-STORED-${String(i + k).padStart(6, '0')}`;
      return { PutRequest: { Item: { ...template, id: { S: id }, pk: { S: `REQ#${id}` } } } };
    });
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items } }));
  }
  return Math.max(from, target);
}

function base(id: string, nowMs: number) {
  return {
    id,
    createdAt: iso(nowMs - 3 * 3600_000),
    requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice' },
    cluster: 'cluster1',
    svm: { name: 'svm1', uuid: SVM1 },
    role: 'vsadmin',
    application: 'ssh' as const,
    policy: 'bench',
    approvalsRequired: 1,
    durationSeconds: 3600,
    justification: 'Benchmark of the reconciler',
  };
}

/** A grant whose window ended an hour ago and whose entry is already gone: one revoke each. */
function overdueGrant(id: string, nowMs: number) {
  const pending = newRequest(base(id, nowMs));
  const approved = transition(pending, { type: 'APPROVE', by: 'U0BOB', at: iso(nowMs - 2 * 3600_000) }).next;
  const window = { start: iso(nowMs - 2 * 3600_000), end: iso(nowMs - 3600_000) };
  return transition(approved, { type: 'GRANTED', at: window.start, window }).next;
}
