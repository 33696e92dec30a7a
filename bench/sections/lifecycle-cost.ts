/**
 * What one approved lifecycle costs, counted on the local stack, and whether that grows with what the
 * table already holds. At each preload level (0, 1,000, 10,000 items: stored requests with their
 * audit trails, a tenth of them live grants holding their locks), a batch of lifecycles runs whole —
 * `/jit`, modal submit, Approve, grant, the window (an hour, a real second), revoke — and each
 * lifecycle's state transitions, task invocations, DynamoDB calls and request units are read from the
 * runner's counters and the capacity meter: the workflow's own, and the Slack ingress's (everything
 * else the product's DynamoDB client did meanwhile).
 */
import { type AttributeValue, BatchWriteItemCommand, QueryCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { toUtcSecond } from '../../lambdas/domain/durations';
import { owedNotices } from '../../lambdas/domain/milestones';
import { newRequest, STATUSES } from '../../lambdas/domain/request';
import { nowOf } from '../../lambdas/runtime/clock';
import type { WorkflowTask } from '../../lib/workflow-definition';
import { localDynamoClient } from '../../local/dynamodb';
import type { BenchStack } from '../local';
import { mean, round, type Summary, summarize } from '../stats';
import { APPROVER, requester } from '../workload';

/** Per-lifecycle figures at one preload level (means over the batch; `max` of transitions too). */
export interface LifecycleCounts {
  readonly preloadedItems: number;
  readonly lifecycles: number;
  readonly succeeded: number;
  readonly stateTransitions: number;
  readonly stateTransitionsMax: number;
  readonly taskInvocations: number;
  readonly taskInvocationsByFunction: Record<string, number>;
  readonly workflowReads: number;
  readonly workflowWrites: number;
  readonly ingressRequests: number;
  readonly ingressReads: number;
  readonly ingressWrites: number;
  readonly readRequestUnits: number;
  readonly writeRequestUnits: number;
  /** Real milliseconds per task invocation, by function (means), for Lambda GB-seconds. */
  readonly taskMsByFunction: Record<string, number>;
  /** Acknowledgement latency of the batch's requests (the ingress's billed duration, near enough). */
  readonly ingressMs: { open: Summary; submit: Summary; approve: Summary };
}

/** The section's result. */
export interface LifecycleCostResult {
  readonly levels: LifecycleCounts[];
  /** Largest relative change of each per-lifecycle count from the empty table to the fullest. */
  readonly growth: Record<string, number>;
}

const JUSTIFICATION = 'Benchmark: rotate the backup schedule on vol_archive';

/** Runs `batch` lifecycles at each of `levels` preloaded items. */
export async function measureLifecycleCost(
  b: BenchStack,
  levels: readonly number[],
  batch: number,
): Promise<LifecycleCostResult> {
  const loader = new Preloader(b);
  const results: LifecycleCounts[] = [];
  let user = 0;
  for (const level of levels) {
    await loader.fillTo(level);
    results.push(await runBatch(b, level, batch, () => requester(user++).id));
  }
  await loader.close();
  const first = results[0];
  const last = results.at(-1);
  const keys = [
    'stateTransitions',
    'taskInvocations',
    'workflowReads',
    'workflowWrites',
    'ingressReads',
    'ingressWrites',
    'readRequestUnits',
    'writeRequestUnits',
  ] as const;
  const growth = Object.fromEntries(
    keys.map((k) => [k, first && last && first[k] > 0 ? round((last[k] - first[k]) / first[k], 3) : 0]),
  );
  return { levels: results, growth };
}

async function runBatch(
  b: BenchStack,
  preloadedItems: number,
  batch: number,
  nextUser: () => string,
): Promise<LifecycleCounts> {
  const { counters, sfn } = b.stack.workflow;
  const totalBefore = { ...counters.dynamo };
  const unitsBefore = b.capacity.snapshot();
  const taskBefore = Object.fromEntries(Object.entries(b.taskMs).map(([t, v]) => [t, v.length]));
  const arns: string[] = [];
  const open: number[] = [];
  const submit: number[] = [];
  const approve: number[] = [];
  for (let i = 0; i < batch; i++) {
    const user = nextUser();
    const form = await b.driver.openForm(user);
    open.push(form.answer.ms);
    const submitted = await b.driver.submitForm(user, form.view, JUSTIFICATION);
    submit.push(submitted.answer.ms);
    const arn = b.executionOf(submitted.requestId);
    arns.push(arn);
    await sfn.whenWaiting(arn, 'AwaitApproval');
    approve.push((await b.driver.approve(APPROVER, b.driver.approvalMessage(submitted.requestId))).ms);
  }
  const ends = await Promise.all(arns.map((arn) => sfn.waitForExecution(arn)));
  b.simulator.clearCalls();

  const per = arns.map((arn) => counters.execution(arn));
  const workflowReads = per.reduce((n, c) => n + c.dynamo.reads, 0);
  const workflowWrites = per.reduce((n, c) => n + c.dynamo.writes, 0);
  const units = b.capacity.snapshot();
  const invocations: Record<string, number> = {};
  for (const c of per)
    for (const [fn, n] of Object.entries(c.taskInvocations)) invocations[fn] = (invocations[fn] ?? 0) + n / batch;
  const taskMsByFunction = Object.fromEntries(
    Object.entries(b.taskMs).map(([task, samples]) => [task, round(mean(samples.slice(taskBefore[task] ?? 0)), 3)]),
  );
  return {
    preloadedItems,
    lifecycles: batch,
    succeeded: ends.filter((e) => e.status === 'SUCCEEDED').length,
    stateTransitions: round(mean(per.map((c) => c.stateTransitions))),
    stateTransitionsMax: Math.max(...per.map((c) => c.stateTransitions)),
    taskInvocations: round(mean(per.map((c) => Object.values(c.taskInvocations).reduce((a, n) => a + n, 0)))),
    taskInvocationsByFunction: Object.fromEntries(Object.entries(invocations).map(([k, v]) => [k, round(v)])),
    workflowReads: round(workflowReads / batch),
    workflowWrites: round(workflowWrites / batch),
    ingressRequests: 3,
    ingressReads: round((counters.dynamo.reads - totalBefore.reads - workflowReads) / batch),
    ingressWrites: round((counters.dynamo.writes - totalBefore.writes - workflowWrites) / batch),
    readRequestUnits: round((units.rru - unitsBefore.rru) / batch),
    writeRequestUnits: round((units.wru - unitsBefore.wru) / batch),
    taskMsByFunction: taskMsByFunction as Record<WorkflowTask, number>,
    ingressMs: { open: summarize(open), submit: summarize(submit), approve: summarize(approve) },
  };
}

type RawItem = Record<string, AttributeValue>;

/**
 * Fills the table with copies of two requests the product itself made through its store — one
 * finished (EXPIRED, with its audit trail), one live (ACTIVE, with its audit trail and grant lock) —
 * each copy with its own id, requester and ONTAP account, so no copy shares a key or a lock.
 */
class Preloader {
  private readonly client;
  private items = 0;
  private copies = 0;
  private templates: { finished: RawItem[]; live: RawItem[] } | undefined;

  constructor(private readonly b: BenchStack) {
    this.client = localDynamoClient(b.stack.urls.dynamodb);
  }

  async fillTo(level: number): Promise<void> {
    if (this.items >= level) return;
    this.templates ??= await this.makeTemplates();
    const { finished, live } = this.templates;
    const pending: RawItem[] = [];
    while (this.items + pending.length < level) {
      this.copies += 1;
      // A tenth of the stored requests are live grants.
      const template = this.copies % 10 === 0 ? live : finished;
      pending.push(...copyOf(template, this.copies));
    }
    for (let i = 0; i < pending.length; i += 25) {
      let requests: WriteRequest[] = pending.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { 'ontap-jit-requests': requests } }),
        );
        requests = out.UnprocessedItems?.['ontap-jit-requests'] ?? [];
      }
    }
    this.items += pending.length;
  }

  private async makeTemplates(): Promise<{ finished: RawItem[]; live: RawItem[] }> {
    const store = this.b.observer;
    const now = (): string => toUtcSecond(nowOf(this.b.clock));
    const base = (id: string, user: number) =>
      newRequest({
        id,
        createdAt: now(),
        requester: { slackUserId: requester(user).id, ontapAccount: requester(user).name },
        cluster: 'cluster1',
        svm: { name: 'svm1', uuid: '02c9e252-41be-11e9-81d5-00a0986138f7' },
        role: 'vsadmin',
        application: 'ssh',
        policy: 'svm1-operators',
        approvalsRequired: 1,
        durationSeconds: 3600,
        justification: JUSTIFICATION,
      });
    const window = { start: now(), end: toUtcSecond(nowOf(this.b.clock).plus({ days: 365 })) };
    const finishedId = 'JIT-PRELOADFIN00';
    await store.create(base(finishedId, 598), requester(598).id);
    await store.apply(finishedId, { type: 'APPROVE', by: APPROVER, at: now() });
    await store.apply(finishedId, { type: 'GRANTED', at: now(), window });
    await store.apply(finishedId, { type: 'REVOKED', at: now(), alreadyGone: false });
    const liveId = 'JIT-PRELOADLIV00';
    await store.create(base(liveId, 599), requester(599).id);
    await store.apply(liveId, { type: 'APPROVE', by: APPROVER, at: now() });
    await store.apply(liveId, { type: 'GRANTED', at: now(), window });
    // As the workflow leaves them: their milestones told, so no copy is owed a message.
    for (const id of [finishedId, liveId]) {
      await store.update(id, STATUSES, (s) => ({
        ...s,
        request: { ...s.request, told: owedNotices(s.request, now()).map((n) => n.key) },
      }));
    }
    await store.acquireGrantLock(
      {
        cluster: 'cluster1',
        svmUuid: '02c9e252-41be-11e9-81d5-00a0986138f7',
        account: requester(599).name,
        application: 'ssh',
      },
      liveId,
      window.end,
    );
    const finished = await this.itemsOf(`REQ#${finishedId}`);
    const live = [
      ...(await this.itemsOf(`REQ#${liveId}`)),
      ...(await this.itemsOf(`LOCK#cluster1#02c9e252-41be-11e9-81d5-00a0986138f7#${requester(599).name}#ssh`)),
    ];
    if (finished.length < 2 || live.length < 3) throw new Error('the preload templates are incomplete');
    return { finished: tag(finished, finishedId, 598), live: tag(live, liveId, 599) };
  }

  private async itemsOf(pk: string): Promise<RawItem[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: 'ontap-jit-requests',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
      }),
    );
    return out.Items ?? [];
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

const TAG = { id: '@@ID@@', slackUser: '@@USER@@', account: '@@ACCOUNT@@' };

/** The template with its id, requester and account marked for replacement. */
function tag(items: RawItem[], id: string, user: number): RawItem[] {
  const text = JSON.stringify(items)
    .replaceAll(id, TAG.id)
    .replaceAll(requester(user).id, TAG.slackUser)
    .replaceAll(requester(user).name, TAG.account);
  return JSON.parse(text) as RawItem[];
}

/** The n-th copy of a tagged template. */
function copyOf(template: RawItem[], n: number): RawItem[] {
  const serial = String(n).padStart(6, '0');
  const text = JSON.stringify(template)
    .replaceAll(TAG.id, `JIT-PRE${serial}ABCDE`.slice(0, 16))
    .replaceAll(TAG.slackUser, `U0PRE${serial}`)
    .replaceAll(TAG.account, `preload${serial}`);
  return JSON.parse(text) as RawItem[];
}
