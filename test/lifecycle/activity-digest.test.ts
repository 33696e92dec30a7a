/**
 * The activity digest end to end: through the signed ingress, the real workflow on the scaled clock,
 * the ONTAP simulator's audit log filled by a simulated SSH user, and the Slack stand-in. A grant's
 * digest is posted in the approval thread and recorded in the audit trail once, however many tries
 * run; an unreadable audit log never holds up the end, is said once, and the digest follows.
 */
import { DIGEST_GIVE_UP_SECONDS } from '../../lambdas/domain/digest';
import { tellDigest } from '../../lambdas/lifecycle/digest';
import { type ReconcileResult, reconcile } from '../../lambdas/lifecycle/reconcile';
import { auditLogOf, runCommand } from '../../local/ontap-sim/audit-log';
import { raw } from '../local/ontap-sim/raw-request';
import { checkBlockKit } from '../notifications/block-kit-limits';
import { useWorkflowEnv } from '../support/workflow-env';

const env = useWorkflowEnv({ ingress: true });

const WHY = 'Resize the finance volumes';
const DESTRUCTIVE = ['volume delete -vserver svm1 -volume fin_old', 'snapmirror modify -destination-path svm1:fin_dr'];

/** Runs a command as `account` on svm1 through the simulator's admin API, as a person in the sandbox does. */
async function ssh(command: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown> | null> {
  const body = { owner: 'svm1', account: 'alice', command, ...extra };
  const res = await raw(env().sim, 'POST', '/__sim/run-command', { body });
  expect(res.status).toBe(200);
  return res.json.record;
}

async function setReadable(readable: boolean): Promise<void> {
  expect((await raw(env().sim, 'POST', '/__sim/audit', { body: { readable } })).status).toBe(200);
}

/** Replies under the request's approval message, as they stand in Slack. */
async function thread(id: string): Promise<string[]> {
  const approval = (await env().store.get(id)).slack.approval;
  return env()
    .slack.messages.filter((m) => approval !== undefined && m.threadTs === approval.ts && m.ts !== approval.ts)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`);
}
const digests = async (id: string) => (await thread(id)).filter((t) => t.startsWith('Activity digest'));
const unreadableNotes = async (id: string) => (await thread(id)).filter((t) => t.includes('could not be read'));

/** One reconciler pass at business time `iso`. */
function passAt(iso: string): Promise<ReconcileResult> {
  const rt = env().runtime;
  return reconcile({ ...rt, clock: { now: () => Date.parse(iso) } }, rt.logger);
}
const plus = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Alice asks through `/jit`, Bob approves with the button; the grant is live. */
async function granted(duration: string): Promise<{ id: string; executionArn: string }> {
  const made = await env().ingress.request('U0ALICE', `svm1 vsadmin ${duration} ${WHY}`);
  await env().waiting(made.executionArn, 'AwaitApproval');
  await env().ingress.click('U0BOB', 'jit_approve', made.id);
  await env().waiting(made.executionArn, 'AwaitEnd');
  return made;
}

async function ended(id: string) {
  const r = await env().store.get(id);
  if (r.status !== 'EXPIRED' && r.status !== 'REVOKED') throw new Error(`not ended: ${r.status}`);
  if (r.window === undefined) throw new Error('no window');
  return { ...r, window: r.window };
}

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  env().slack.faults.chooser = undefined;
});

afterEach(() => {
  for (const call of env().slack.callsTo('chat.postMessage')) expect(checkBlockKit(call.args)).toEqual([]);
});

describe('the activity digest of a grant', () => {
  it('counts 30 commands in one SSH session, flags the 2 destructive ones, lists elevate, reset and failures', async () => {
    const { id, executionArn } = await granted('8h');
    expect(await ssh('security jit-privilege elevate')).toMatchObject({ state: 'success' });
    // In process, so that the hour-long elevated session is not used up by a loaded machine's HTTP calls.
    const alice = (command: string, extra: { state?: 'error'; message?: string } = {}) =>
      runCommand(env().sim.state, { owner: 'svm1', account: 'alice', command, ...extra });
    for (let i = 0; i < 27; i++) alice(`volume modify -vserver svm1 -volume fin_${i} -size 20g`);
    alice('volume create -vserver svm1 -volume fin_x -aggregate aggr1', { state: 'error', message: 'no aggr1' });
    for (const command of DESTRUCTIVE) expect(alice(command)).toMatchObject({ state: 'success' });
    await ssh('security jit-privilege reset');
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');

    const [digest = '', ...others] = await digests(id);
    expect(others).toEqual([]);
    expect(digest).toContain('*30* commands in *1* SSH session');
    expect(digest).toContain('1 elevate · 1 reset · 30 changing · *2 destructive* · 1 failed');
    for (const command of DESTRUCTIVE) expect(digest).toMatch(new RegExp(`\`${command}\` :warning: \\*destructive\\*`));
    expect(digest.match(/:warning: \*destructive\*/g)).toHaveLength(2);
    expect(digest).toContain('`security jit-privilege elevate`');
    expect(digest).toContain('no aggr1');
    expect(digest).toContain('…and 10 more');
    expect(digest).toContain('Read-only commands appear only when the cluster logs CLI GET commands');

    const trail = await env().store.auditTrail(id);
    const event = trail.find((e) => e.type === 'ACTIVITY_DIGEST');
    expect(event?.detail).toMatch(/^30 commands in 1 SSH session; 1 elevate, 1 reset; 30 changes \(2 destructive\)/);
    expect(event?.detail).toContain(`Destructive: ${DESTRUCTIVE.join('; ')}`);
    expect(trail.at(-1)).toBe(event);
    const r = await ended(id);
    expect(r.digest).toMatchObject({ state: 'recorded', seq: event?.seq, failures: 0 });
    const kept = await env().store.digestLines(id, r.endedAt);
    expect(kept).toHaveLength(32);
    expect(kept.filter((c) => c.destructive !== undefined).map((c) => c.input)).toEqual(DESTRUCTIVE);

    // Doubled: a reconciler pass well past every grace, and the digest tried again, post nothing more.
    const before = env().slack.messages.length;
    await passAt(plus(r.endedAt, 3600));
    expect(await tellDigest(env().runtime, id, env().runtime.logger)).toBe('none');
    expect(env().slack.messages).toHaveLength(before);
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'ACTIVITY_DIGEST')).toHaveLength(1);
  });

  it('reads only the grant’s window and the account on its SVM', async () => {
    runCommand(env().sim.state, { owner: 'svm1', account: 'alice', command: 'volume delete -volume before' });
    const { id, executionArn } = await granted('4h');
    await ssh('security jit-privilege elevate');
    await ssh('volume modify -volume v1 -size 1g');
    runCommand(env().sim.state, { owner: 'svm2', account: 'alice', command: 'volume delete -volume other_svm' });
    runCommand(env().sim.state, { owner: 'svm1', account: 'bob', command: 'volume delete -volume bobs' });
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    runCommand(env().sim.state, { owner: 'svm1', account: 'alice', command: 'volume delete -volume after' });
    const [digest] = await digests(id);
    expect(digest).toContain('*1* command in *1* SSH session');
    expect(digest).toContain('*0 destructive*');
    const calls = env()
      .sim.calls()
      .filter((c) => c.path === '/api/security/audit/messages');
    expect(calls).toHaveLength(1);
    const r = await ended(id);
    expect(calls[0]?.query).toMatchObject({ user: 'alice', application: 'ssh' });
    expect(calls[0]?.query?.timestamp).toBe(
      `${r.window.start.replace('Z', '+00:00')}..${r.endedAt.replace('Z', '+00:00')}`,
    );
  });

  it('caps 500 commands with "and N more" in the thread and keeps the whole list in the audit trail', async () => {
    const { id, executionArn } = await granted('8h');
    await ssh('security jit-privilege elevate');
    const state = env().sim.state;
    for (let i = 0; i < 500; i++)
      runCommand(state, { owner: 'svm1', account: 'alice', command: `volume modify -volume v${i} -size 1g` });
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const [digest] = await digests(id);
    expect(digest).toContain('*500* commands');
    expect(digest).toContain('…and 480 more (the whole list is kept in the request');
    const r = await ended(id);
    const kept = await env().store.digestLines(id, r.endedAt);
    expect(kept).toHaveLength(501);
    expect(kept.at(-1)?.input).toBe('volume modify -volume v499 -size 1g');
  });
});

describe('an unreadable audit log', () => {
  it('never holds up the end; the thread says so once, and the digest follows when the log can be read', async () => {
    const { id, executionArn } = await granted('2h');
    await ssh('security jit-privilege elevate');
    await ssh('volume offline -vserver svm1 -volume fin_1');
    await setReadable(false);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const r = await ended(id);
    expect(r).toMatchObject({ status: 'EXPIRED', expiry: 'window-ended' });
    expect(r.endedAt >= r.window.end).toBe(true);
    expect(env().sim.jitEntries()).toEqual([]);
    expect(r.digest).toMatchObject({ state: 'unreadable', failures: 1, toldUnreadable: true });
    expect(env().logs.some((l) => l.includes('"DigestLogUnreadable":1'))).toBe(true);
    expect(await unreadableNotes(id)).toEqual([expect.stringContaining('The digest follows here')]);
    expect(await digests(id)).toEqual([]);

    // Still unreadable on the reconciler's pass: tried, not said again.
    const first = await passAt(plus(r.endedAt, 120));
    expect(first.events['digest-unreadable']).toBe(1);
    expect((await ended(id)).digest).toMatchObject({ state: 'unreadable', failures: 2 });
    expect(await unreadableNotes(id)).toHaveLength(1);

    await setReadable(true);
    const second = await passAt(plus(r.endedAt, 1800));
    expect(second.events['digest-posted']).toBe(1);
    const [digest, ...others] = await digests(id);
    expect(others).toEqual([]);
    expect(digest).toContain('*1* command in *1* SSH session');
    expect(digest).toMatch(/`volume offline -vserver svm1 -volume fin_1` :warning: \*destructive\* \(offline\)/);
    expect((await ended(id)).digest?.state).toBe('recorded');
    expect(env().logs.some((l) => l.includes('"DigestsPosted":1'))).toBe(true);
    await passAt(plus(r.endedAt, 3600));
    expect(await digests(id)).toHaveLength(1);
    expect(await unreadableNotes(id)).toHaveLength(1);
  });

  it('is given up after its time, said once, and recorded in the audit trail', async () => {
    const { id, executionArn } = await granted('2h');
    auditLogOf(env().sim.state).readability = 'forbidden';
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const r = await ended(id);
    await passAt(plus(r.endedAt, DIGEST_GIVE_UP_SECONDS + 60));
    await passAt(plus(r.endedAt, DIGEST_GIVE_UP_SECONDS + 3600));
    expect((await ended(id)).digest?.state).toBe('abandoned');
    expect((await thread(id)).filter((t) => t.includes('No activity digest'))).toHaveLength(1);
    const event = (await env().store.auditTrail(id)).find((e) => e.type === 'ACTIVITY_DIGEST');
    expect(event?.detail).toMatch(/^No activity digest: the audit log could not be read for 6 hours/);
  });

  it('two tries at once (the revoke and a pass) post one digest', async () => {
    const { id, executionArn } = await granted('2h');
    await ssh('security jit-privilege elevate');
    auditLogOf(env().sim.state).readability = 'forbidden';
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    auditLogOf(env().sim.state).readability = 'readable';
    const rt = env().runtime;
    const outcomes = await Promise.all([tellDigest(rt, id, rt.logger), tellDigest(rt, id, rt.logger)]);
    expect(outcomes.sort()).toEqual(['none', 'posted']);
    expect(await digests(id)).toHaveLength(1);
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'ACTIVITY_DIGEST')).toHaveLength(1);
  });
});

describe('a digest Slack did not take', () => {
  it('stays owed and the reconciler posts it once, from the list kept, without reading the log again', async () => {
    const { id, executionArn } = await granted('2h');
    await ssh('security jit-privilege elevate');
    await ssh('snapshot policy modify -policy default -enabled false');
    auditLogOf(env().sim.state).readability = 'forbidden';
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    auditLogOf(env().sim.state).readability = 'readable';
    const rt = env().runtime;
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    expect(await tellDigest(rt, id, rt.logger)).toBe('unposted');
    env().slack.faults.chooser = undefined;
    const r = await ended(id);
    expect(r.digest?.state).toBe('unposted');
    expect(await digests(id)).toEqual([]);
    const reads = () =>
      env()
        .sim.calls()
        .filter((c) => c.path === '/api/security/audit/messages').length;
    expect(reads()).toBe(2);
    await passAt(plus(r.endedAt, 600));
    const [digest, ...others] = await digests(id);
    expect(others).toEqual([]);
    expect(digest).toContain(':warning: *destructive* (modify of snapshot policy)');
    expect(reads()).toBe(2);
    expect((await ended(id)).digest?.state).toBe('recorded');
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'ACTIVITY_DIGEST')).toHaveLength(1);
  });

  it('is given up, unposted, once Slack has refused it for as long as the log is tried', async () => {
    const { id, executionArn } = await granted('2h');
    auditLogOf(env().sim.state).readability = 'forbidden';
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    auditLogOf(env().sim.state).readability = 'readable';
    const rt = env().runtime;
    env().slack.faults.chooser = (method) => method === 'chat.postMessage';
    expect(await tellDigest(rt, id, rt.logger)).toBe('unposted');
    const r = await ended(id);
    await passAt(plus(r.endedAt, DIGEST_GIVE_UP_SECONDS + 60));
    env().slack.faults.chooser = undefined;
    expect((await ended(id)).digest?.state).toBe('abandoned');
    await passAt(plus(r.endedAt, DIGEST_GIVE_UP_SECONDS + 3600));
    expect(await digests(id)).toEqual([]);
    expect((await env().store.auditTrail(id)).filter((e) => e.type === 'ACTIVITY_DIGEST')).toHaveLength(1);
  });
});
