/**
 * Slack acknowledgement latency and approval-to-grant latency, on the local stack.
 *
 * Each round, one after the other, as people make them: `/jit` (the modal opens), the modal
 * submitted, a one-line `/jit svm1 vsadmin 1h …` by someone else (the text shortcut; that request is
 * left to expire), and the Approve click on the modal's request once its approval message is up.
 * Between them, two requests to the floor endpoint (signature check + one conditional write, same
 * HTTP shape, same DynamoDB) and one to each floor of 2 and 3 DynamoDB calls in series (a kind's own
 * calls, without Bolt, Slack or the workflow), so floors and product are measured under the same conditions: each request
 * is sent once the workflow has settled after the one before. Approval to grant: from the Approve click leaving Slack to the JIT
 * entry's POST arriving at the ONTAP simulator (its call log, on the shared clock).
 */
import { performance } from 'node:perf_hooks';
import { startFloor } from '../floor';
import type { BenchStack } from '../local';
import { SignedPoster } from '../slack-driver';
import { round, type Summary, summarize } from '../stats';
import { APPROVER, requester } from '../workload';

/** The request kinds measured. */
export const ACK_KINDS = [
  'slash command: /jit opens the modal',
  'slash command: one-line request (text shortcut)',
  'modal submit',
  'button: Approve',
] as const;
/** One of them. */
export type AckKind = (typeof ACK_KINDS)[number];

/**
 * The DynamoDB calls each kind makes in series before its answer (calls made beside each other count
 * once; test/handlers/slack-ingress-calls.test.ts checks the calls): the floor of the same number is
 * what the invariants alone cost it. `/jit` makes none (its answer waits on Slack's calls alone).
 */
export const DYNAMO_CALLS_IN_SERIES: Readonly<Record<AckKind, 0 | 2 | 3>> = {
  'slash command: /jit opens the modal': 0,
  // The open-request count (beside users.info), then the conditional write (beside the start).
  'slash command: one-line request (text shortcut)': 2,
  // The open-request count, then the conditional write (beside the start).
  'modal submit': 2,
  // The request (beside both lookups), the conditional write, the audit item (beside the signal).
  'button: Approve': 3,
};

/** What the section found. */
export interface AckResult {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly latencyMs: Record<AckKind, Summary>;
  readonly floorMs: Summary;
  /** Product latency over the floor's, at p50 and p99. */
  readonly ratioToFloor: Record<AckKind, { p50: number; p99: number }>;
  /** The floors of 2 and 3 DynamoDB calls in series (a read, the conditional write, another write). */
  readonly callFloorsMs: { readonly 2: Summary; readonly 3: Summary };
  /** Product latency over the floor of its own DynamoDB calls in series (none for `/jit`). */
  readonly ratioToCallFloor: Record<AckKind, { calls: number; p50: number; p99: number } | null>;
  readonly approveToGrantMs: Summary;
  /** Answers that were not HTTP 200 (should be none). */
  readonly failures: number;
  /** Approved lifecycles (one per round) that ran to their end (SUCCEEDED). */
  readonly lifecyclesSucceeded: number;
  readonly lifecyclesStarted: number;
}

const JUSTIFICATION = 'Benchmark: restore the snapmirror schedule on vol_data';

/** Runs `rounds` measured rounds after `warmup` unmeasured ones. */
export async function measureAck(b: BenchStack, rounds: number, warmup: number): Promise<AckResult> {
  // The request-unit meter works out item sizes on every call of the product's client, inside the answer
  // being timed; the floor's client has none, and nothing here reads it.
  b.capacity.stop();
  const floor = await startFloor({
    dynamoEndpoint: b.stack.urls.dynamodb,
    tableName: 'ontap-jit-requests',
    signingSecret: b.stack.signingSecret,
  });
  const floorPoster = new SignedPoster(floor.url, b.stack.signingSecret);
  // The floors of a kind's own calls in series, started the same way.
  const startCallFloor = (calls: 2 | 3) =>
    startFloor({
      dynamoEndpoint: b.stack.urls.dynamodb,
      tableName: 'ontap-jit-requests',
      signingSecret: b.stack.signingSecret,
      calls,
    });
  const callFloors = await Promise.all([startCallFloor(2), startCallFloor(3)]);
  const [floor2, floor3] = callFloors;
  const floor2Poster = new SignedPoster(floor2.url, b.stack.signingSecret);
  const floor3Poster = new SignedPoster(floor3.url, b.stack.signingSecret);
  const callFloorMs: Record<2 | 3, number[]> = { 2: [], 3: [] };
  const sfn = b.stack.workflow.sfn;
  const samples: Record<AckKind, number[]> = Object.fromEntries(
    ACK_KINDS.map((k) => [k, [] as number[]]),
  ) as unknown as Record<AckKind, number[]>;
  const floorMs: number[] = [];
  const toGrant: number[] = [];
  const approvedExecutions: string[] = [];
  let failures = 0;
  // The floor is sent the bytes of an Approve click (the first round's; signed afresh each time).
  let floorBody = '';

  const check = (status: number): void => {
    if (status !== 200) failures += 1;
  };

  /** Approves a request waiting for approval; returns the click's latency and the time to the ONTAP POST. */
  const approveAndGrant = async (requestId: string): Promise<{ ackMs: number; toPostMs: number }> => {
    const arn = b.executionOf(requestId);
    await sfn.whenWaiting(arn, 'AwaitApproval');
    const message = b.driver.approvalMessage(requestId);
    const clicked = performance.now();
    const answer = await b.driver.approve(APPROVER, message);
    check(answer.status);
    // Entered once the grant returned (the one-hour window may even be over on a stalled machine).
    await sfn.whenEntered(arn, 'AwaitEnd');
    const post = b.simulator
      .calls()
      .find(
        (c) =>
          c.method === 'POST' &&
          c.path.startsWith('/api/security/jit-privilege-users') &&
          JSON.stringify(c.body).includes(requestId),
      );
    if (!post) throw new Error(`no JIT POST for ${requestId}`);
    b.simulator.clearCalls();
    return { ackMs: answer.ms, toPostMs: b.clock.realMs(Date.parse(post.time)) - clicked };
  };

  const began = performance.now();
  for (let r = 0; r < warmup + rounds; r++) {
    if (r > 0 && r % 100 === 0)
      process.stdout.write(`   round ${r}/${warmup + rounds} (${round((performance.now() - began) / 1000)} s)\n`);
    const measured = r >= warmup;
    const record = (kind: AckKind, ms: number): void => {
      if (measured) samples[kind].push(ms);
    };
    /** One request to a floor (the bytes of an Approve click), timed into `into`. */
    const timeFloor = async (poster: SignedPoster, into: number[]): Promise<void> => {
      const answer = await poster.post(floorBody || b.driver.poster.lastBody);
      check(answer.status);
      if (measured) into.push(answer.ms);
    };
    const alice = requester(2 * r).id;
    const dave = requester(2 * r + 1).id;

    const open = await b.driver.openForm(alice);
    check(open.answer.status);
    record('slash command: /jit opens the modal', open.answer.ms);
    const submitted = await b.driver.submitForm(alice, open.view, JUSTIFICATION);
    check(submitted.answer.status);
    record('modal submit', submitted.answer.ms);
    approvedExecutions.push(b.executionOf(submitted.requestId));
    // Each request is sent once the workflow work of the one before has settled: in AWS the tasks run
    // in functions of their own, here they share the process with the endpoint (and the floor).
    await sfn.whenWaiting(b.executionOf(submitted.requestId), 'AwaitApproval');

    await timeFloor(floorPoster, floorMs);
    await timeFloor(floor2Poster, callFloorMs[2]);

    const line = await b.driver.command(dave, `svm1 vsadmin 1h ${JUSTIFICATION}`);
    check(line.answer.status);
    record('slash command: one-line request (text shortcut)', line.answer.ms);
    await sfn.whenWaiting(b.executionOf(line.requestId), 'AwaitApproval');

    await timeFloor(floorPoster, floorMs);
    await timeFloor(floor3Poster, callFloorMs[3]);

    // The modal's request is approved and granted; the one-line request is left to expire unanswered.
    const approved = await approveAndGrant(submitted.requestId);
    floorBody ||= b.driver.poster.lastBody;
    record('button: Approve', approved.ackMs);
    if (measured) toGrant.push(approved.toPostMs);
  }

  // Every window ends an hour (a real second) after its grant; let the last ones close.
  const ends = await Promise.all(approvedExecutions.map((arn) => sfn.waitForExecution(arn)));
  floorPoster.close();
  await floor.close();
  floor2Poster.close();
  floor3Poster.close();
  await Promise.all(callFloors.map((f) => f.close()));

  const latencyMs = Object.fromEntries(ACK_KINDS.map((k) => [k, summarize(samples[k])])) as Record<AckKind, Summary>;
  const floorSummary = summarize(floorMs);
  const callFloorsMs = { 2: summarize(callFloorMs[2]), 3: summarize(callFloorMs[3]) };
  const overOwnCalls = (k: AckKind): { calls: number; p50: number; p99: number } | null => {
    const calls = DYNAMO_CALLS_IN_SERIES[k];
    if (calls === 0) return null;
    const own = callFloorsMs[calls];
    return { calls, p50: round(latencyMs[k].p50 / own.p50), p99: round(latencyMs[k].p99 / own.p99) };
  };
  return {
    rounds,
    warmupRounds: warmup,
    latencyMs,
    floorMs: floorSummary,
    ratioToFloor: Object.fromEntries(
      ACK_KINDS.map((k) => [
        k,
        { p50: round(latencyMs[k].p50 / floorSummary.p50), p99: round(latencyMs[k].p99 / floorSummary.p99) },
      ]),
    ) as Record<AckKind, { p50: number; p99: number }>,
    callFloorsMs,
    ratioToCallFloor: Object.fromEntries(ACK_KINDS.map((k) => [k, overOwnCalls(k)])) as AckResult['ratioToCallFloor'],
    approveToGrantMs: summarize(toGrant),
    failures,
    lifecyclesStarted: approvedExecutions.length,
    lifecyclesSucceeded: ends.filter((e) => e.status === 'SUCCEEDED').length,
  };
}
