/**
 * Chaos: 200 lifecycles through the signed ingress, the real workflow, dynalite and the ONTAP
 * simulator, with seeded random faults on ONTAP (simulator faults), on Slack (the stand-in answers
 * `fatal_error`), on Step Functions signals (the local API answers 503) and on DynamoDB (a proxy in
 * front of dynalite throttles, fails, and loses answers of reads; some audit items cannot be written
 * at all). The reconciler then runs as scheduled. At the end: no entry is on the cluster past its
 * approved end plus one reconciler period, no lock is held by a finished request, every recorded
 * event is in the audit trail (its items, not the self-repairing read), and every requester's DM
 * shows the request's final state. The faults injected by kind and these four counts are printed.
 */
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RECONCILE_PERIOD_SECONDS } from '../../lambdas/domain/attention';
import { type AccessRequest, isTerminal } from '../../lambdas/domain/request';
import { reconcile } from '../../lambdas/lifecycle/reconcile';
import { requesterMessage } from '../../lambdas/slack/blocks/request-messages';
import type { DynamoFault } from '../../local/dynamodb-fault-proxy';
import type { FaultSpecInput } from '../../local/ontap-sim';
import { configWith, directoryWith, fixtureWith, names, ontapMillis, slackIdOf, Tally } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';

const LIFECYCLES = Number(process.env.JIT_CHAOS_LIFECYCLES ?? 200);
const WAVE = 20;
const SEED = Number(process.env.JIT_CHAOS_SEED ?? 20261130);
const ACCOUNTS = names('chaos', WAVE);
const PERIOD_MS = RECONCILE_PERIOD_SECONDS * 1000;

const env = useWorkflowEnv({
  ingress: true,
  dynamoProxy: true,
  ontapClient: { timeoutMs: 300 },
  fixture: fixtureWith(ACCOUNTS),
  directory: directoryWith(ACCOUNTS),
  config: configWith(ACCOUNTS, [
    {
      name: 'svm1-chaos',
      clusters: ['cluster1'],
      svms: ['svm1'],
      roles: ['vsadmin'],
      requesters: 'anyone',
      approvers: { users: ['U0BOB', 'U0CAROL'] },
      defaultDuration: '30m',
      maxDuration: '2h',
      approvalTimeout: '2h',
    },
  ]),
});

/** A small seeded generator (mulberry32), so a failing run can be replayed with JIT_CHAOS_SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(SEED);
const chance = (p: number): boolean => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const armed = new Tally();

/** ONTAP faults armed for one wave, chosen at random. */
function armOntap(): void {
  const arm = (kind: string, spec: FaultSpecInput): void => {
    env().sim.faults.add(spec);
    armed.add(`ontap ${kind}`, spec.times ?? 1);
  };
  if (chance(0.4))
    arm('POST 503', {
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'status',
      status: 503,
      times: 1 + Math.floor(random() * 3),
    });
  if (chance(0.3))
    arm('POST answer lost', {
      method: 'POST',
      path: '/api/security/jit-privilege-users',
      type: 'reset',
      after: true,
      times: 1,
    });
  if (chance(0.4))
    arm('DELETE 503', {
      method: 'DELETE',
      path: '/api/security/jit-privilege-users/*',
      type: 'status',
      status: 503,
      times: 20 + Math.floor(random() * 60),
    });
  if (chance(0.3))
    arm('outage 503', { path: '/api/*', type: 'status', status: 503, times: 50 + Math.floor(random() * 150) });
  if (chance(0.2)) arm('latency', { path: '/api/*', type: 'latency', ms: 50, times: 10 });
}

/** Chaos everywhere else, for the whole run. */
function armServices(): void {
  const SLACK_FAULTY = new Set(['chat.postMessage', 'chat.update', 'conversations.open']);
  env().slack.faults.chooser = (method) => SLACK_FAULTY.has(method) && chance(0.08);
  env().local.faults.chooser = (operation) => operation === 'SendTaskSuccess' && chance(0.3);
  const doomedAudit = new Set<string>();
  env().dynamoProxy.chooser = (operation, body): DynamoFault | undefined => {
    const item = body.Item as Record<string, { S?: string }> | undefined;
    const sk = item?.sk?.S;
    if (operation === 'PutItem' && sk?.startsWith('AUDIT#')) {
      const key = `${item?.pk?.S}/${sk}`;
      // Some audit items cannot be written at all, however often they are tried while the run lasts.
      if (doomedAudit.has(key) || chance(0.04)) {
        doomedAudit.add(key);
        return 'server-error';
      }
    }
    if (chance(0.02)) return 'throttle';
    if (chance(0.02)) return 'lost-answer';
    return undefined;
  };
}

function quiet(): void {
  env().sim.faults.clear();
  env().slack.faults.chooser = undefined;
  env().local.faults.chooser = undefined;
  env().dynamoProxy.chooser = undefined;
}

/** A person's try, as often as they would (three times) when told to try again. */
async function persist<T>(work: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await work();
    } catch {
      // Told to try again (or Slack dropped it): try again.
    }
  }
  return undefined;
}

/** One lifecycle with a random course; resolves with the request id once its execution stopped (undefined if never made). */
async function lifecycle(i: number, account: string): Promise<string | undefined> {
  const user = slackIdOf(account);
  const made = await persist(() =>
    env().ingress.request(user, `svm1 vsadmin ${pick(['30m', '45m', '1h'])} Chaos run number ${i}`),
  );
  if (!made) return undefined;
  const { id, executionArn } = made;
  const stopped = env().finished(executionArn);
  await env()
    .waiting(executionArn, 'AwaitApproval')
    .catch(() => undefined);
  const course = random();
  if (course < 0.7) {
    await persist(() => env().ingress.click(pick(['U0BOB', 'U0CAROL']), 'jit_approve', id));
    if (chance(0.4)) {
      await env()
        .waiting(executionArn, 'AwaitEnd')
        .catch(() => undefined);
      await persist(() => env().ingress.click(user, 'jit_revoke', id));
    }
  } else if (course < 0.8) {
    await persist(() => env().ingress.deny('U0BOB', id, 'Not during the change freeze'));
  } else if (course < 0.9) {
    await persist(() => env().ingress.click(user, 'jit_cancel', id));
  }
  await stopped;
  return id;
}

describe('chaos', () => {
  it(`${LIFECYCLES} lifecycles with random faults end with every grant gone, every lock free, the audit whole and everyone told`, async () => {
    armServices();
    const ids: string[] = [];
    for (let wave = 0; wave < LIFECYCLES / WAVE; wave++) {
      armOntap();
      const done = await Promise.all(ACCOUNTS.map((account, k) => lifecycle(wave * WAVE + k, account)));
      ids.push(...done.filter((id): id is string => id !== undefined));
    }
    const injected = new Tally();
    for (const [k, v] of env().slack.faults.injected) injected.add(`slack ${k}`, v);
    for (const [k, v] of env().local.faults.injected) injected.add(`step functions ${k}`, v);
    for (const [k, v] of env().dynamoProxy.injected) injected.add(`dynamodb ${k}`, v);
    quiet();

    // The reconciler's scheduled passes after the run: each one period later than the last.
    const rt = env().runtime;
    let ahead = 3 * 3600_000;
    const passes = new Tally();
    for (let n = 0; n < 12; n++) {
      const at = ahead;
      const result = await reconcile(
        { ...rt, clock: { now: () => env().clock.now() + at } },
        rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }),
      );
      passes.add('passes');
      for (const [k, v] of Object.entries(result.events)) passes.add(k, v);
      ahead += PERIOD_MS;
      if (result.due === 0 && !result.more) break;
    }
    const checkedAt = env().clock.now() + ahead;

    const doc = DynamoDBDocumentClient.from(env().dynamo.client);
    const finals = new Map<string, AccessRequest>();
    for (const id of ids) finals.set(id, await env().store.get(id));

    const entriesPastEnd = env()
      .sim.jitEntries()
      .filter((raw) => {
        const entry = raw as { comment?: string; end_time: string };
        const owner = [...finals.values()].find((r) => entry.comment?.includes(`request ${r.id} `));
        const end =
          owner && 'window' in owner && owner.window ? Date.parse(owner.window.end) : ontapMillis(entry.end_time);
        return end + PERIOD_MS < checkedAt || !owner || isTerminal(owner);
      });
    const locks = ((
      await doc.send(
        new ScanCommand({
          TableName: env().dynamo.tableName,
          FilterExpression: 'sk = :lock',
          ExpressionAttributeValues: { ':lock': 'LOCK' },
        }),
      )
    ).Items ?? []) as { requestId: string }[];
    const locksOfFinished = locks.filter((lock) => {
      const holder = finals.get(lock.requestId);
      return !holder || (isTerminal(holder) && !(holder.status === 'FAILED' && holder.cleanupPending));
    });
    const eventsMissing: string[] = [];
    const notTold: string[] = [];
    for (const [id, request] of finals) {
      const { history } = await env().store.getStored(id);
      const items =
        (
          await doc.send(
            new QueryCommand({
              TableName: env().dynamo.tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
              ExpressionAttributeValues: { ':pk': `REQ#${id}`, ':a': 'AUDIT#' },
            }),
          )
        ).Items ?? [];
      const written = new Set(items.map((item) => Number(item.seq)));
      for (const event of history.filter((e) => !written.has(e.seq)))
        eventsMissing.push(`${id} ${request.status}: ${event.seq} ${event.type} at ${event.at}`);
      const dm = env().slack.messages.find(
        (m) => m.channel === env().slack.dmChannelOf(request.requester.slackUserId) && m.text.includes(id),
      );
      if (dm?.text !== requesterMessage(request).text) notTold.push(`${id} ${request.status}: ${dm?.text ?? 'no DM'}`);
    }

    const outcomes = new Tally();
    for (const request of finals.values())
      outcomes.add(request.status === 'FAILED' ? `FAILED (${request.stage})` : request.status);
    const counts = new Tally();
    counts.add('entries past approved end + one period', entriesPastEnd.length);
    counts.add('locks held by finished requests', locksOfFinished.length);
    counts.add('recorded events missing from the audit trail', eventsMissing.length);
    counts.add('requesters not told the final state', notTold.length);
    console.log(
      [
        `chaos seed ${SEED}: ${ids.length} of ${LIFECYCLES} lifecycles made a request`,
        armed.render('ONTAP faults armed (calls)'),
        injected.render('faults injected'),
        outcomes.render('final states'),
        passes.render('reconciler after the run'),
        counts.render('invariants (each must be 0)'),
      ].join('\n'),
    );
    expect(ids.length).toBeGreaterThan(LIFECYCLES * 0.9);
    expect(entriesPastEnd).toEqual([]);
    expect(locksOfFinished).toEqual([]);
    // Which ones, when any: the request, its final state, the event's seq, type and time.
    expect(eventsMissing).toEqual([]);
    expect(notTold).toEqual([]);
    expect([...finals.values()].filter((r) => !isTerminal(r) || (r.status === 'FAILED' && r.cleanupPending))).toEqual(
      [],
    );
    // A guard against a hang, not a speed check: beside other suites on two cores this run takes minutes.
  }, 600_000);
});
