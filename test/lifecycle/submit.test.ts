import { DateTime } from 'luxon';
import { parseConfig } from '../../lambdas/config/load';
import type { Config } from '../../lambdas/config/schema';
import { OpenRequestLimitError } from '../../lambdas/domain/errors';
import { SubmissionSpentError } from '../../lambdas/lifecycle/errors';
import { readOpenRequests, requestIdFor, type SubmitInput, submitRequest } from '../../lambdas/lifecycle/submit';
import { WorkflowCallError } from '../../lambdas/stepfunctions/errors';
import { DuplicateRequestError, RequestNotFoundError } from '../../lambdas/store/errors';
import { APPROVAL_CHANNEL, TEST_CONFIG } from '../support/configs';
import { quietBoltLogger } from '../support/fake-slack';
import { fakePorts } from '../support/fakes';
import { latch } from '../support/latch';
import { T0 } from '../support/requests';

const now = DateTime.fromISO(T0, { zone: 'utc' });
const alice = { slackUserId: 'U0ALICE', ontapAccount: 'alice', zone: 'UTC' };

function setUp(config: Config = TEST_CONFIG) {
  const f = fakePorts({ config });
  const policy = config.policies[0];
  if (!policy) throw new Error('no policy');
  const checked = {
    cluster: 'cluster1',
    svm: 'svm1',
    role: 'vsadmin',
    policy,
    durationSeconds: 3600,
    justification: 'fix',
  };
  const log = quietBoltLogger();
  // The clock stands at T0 (\`now\`), when each of these deliveries arrives.
  const submit = (
    deliveryKey: string,
    requester: SubmitInput['requester'],
    draft: SubmitInput['checked'],
    at = now,
  ) => {
    f.clock.set(at.toISO() ?? T0);
    return submitRequest(f.ports, { deliveryKey, requester, checked: draft, resubmittable: true }, log);
  };
  const intake = { submit };
  return { ...f, intake, checked, log };
}

describe('submitRequest', () => {
  it('records the request PENDING and starts its workflow, named after the request, writing nothing after', async () => {
    const { intake, store, workflow, checked } = setUp();
    const { request, duplicate } = await intake.submit('T0:view:V1', alice, checked, now);
    expect(duplicate).toBe(false);
    expect(request.id).toBe(requestIdFor('T0:view:V1'));
    // The workflow records its execution itself (validate): the request is not read back and written again.
    expect(await store.get(request.id)).toMatchObject({ status: 'PENDING' });
    expect(store.writes).toBe(0);
    expect(workflow.signals).toEqual([{ kind: 'start', target: request.id, taken: true }]);
  });

  it('makes nothing new for a retried delivery: a second start finds the one execution', async () => {
    const { intake, workflow, checked } = setUp();
    const first = await intake.submit('T0:view:V1', alice, checked, now);
    const again = await intake.submit('T0:view:V1', alice, checked, now);
    expect(again).toEqual({ request: first.request, duplicate: true });
    expect(workflow.signals.map((s) => s.taken)).toEqual([true, false]);
  });

  it('starts nothing new for a retried delivery once the workflow has recorded its execution', async () => {
    const { intake, store, workflow, checked } = setUp();
    const { request } = await intake.submit('T0:view:V1', alice, checked, now);
    const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:ontap-jit:${request.id}`;
    await store.update(request.id, ['PENDING'], (s) => ({ ...s, request: { ...s.request, executionArn } }));
    const writes = store.writes;
    await expect(intake.submit('T0:view:V1', alice, checked, now)).resolves.toMatchObject({ duplicate: true });
    // The start made beside the write (before anyone knew it was a retry) found the one execution.
    expect(workflow.signals.map((s) => s.taken)).toEqual([true, false]);
    expect(store.writes).toBe(writes);
  });

  it('answers a retry whose start failed once the workflow has recorded its execution: it needed none', async () => {
    const { intake, store, workflow, checked } = setUp();
    const { request } = await intake.submit('T0:view:V1', alice, checked, now);
    const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:ontap-jit:${request.id}`;
    await store.update(request.id, ['PENDING'], (s) => ({ ...s, request: { ...s.request, executionArn } }));
    workflow.faults.add('start', { error: new WorkflowCallError('StartExecution') });
    await expect(intake.submit('T0:view:V1', alice, checked, now)).resolves.toMatchObject({ duplicate: true });
    expect(await store.get(request.id)).toMatchObject({ status: 'PENDING' });
  });

  it('starts the workflow beside the write, not after its answer', async () => {
    const { intake, store, workflow, checked } = setUp();
    const order: string[] = [];
    // The write is held until the start has been made: a start that waited for the write would never come.
    const held = latch();
    const create = store.create.bind(store);
    store.create = async (...args) => {
      order.push('write sent');
      await held.opened;
      const out = await create(...args);
      order.push('write answered');
      return out;
    };
    const start = workflow.start.bind(workflow);
    workflow.start = async (id) => {
      order.push('start sent');
      held.open();
      return start(id);
    };
    await intake.submit('T0:view:V1', alice, checked, now);
    expect(order).toEqual(['write sent', 'start sent', 'write answered']);
  });

  it('tells a write that failed while the start went through, and records nothing', async () => {
    const { intake, store, workflow, checked } = setUp();
    store.create = async () => {
      throw new Error('InternalServerError');
    };
    await expect(intake.submit('T0:view:V1', alice, checked, now)).rejects.toThrow('InternalServerError');
    // The workflow runs and finds no request: validate waits for it a while, then ends (validate.test.ts).
    expect(workflow.signals).toEqual([{ kind: 'start', target: requestIdFor('T0:view:V1'), taken: true }]);
    await expect(store.get(requestIdFor('T0:view:V1'))).rejects.toThrow(RequestNotFoundError);
  });

  it('closes a new request whose execution name an ended execution already took, and says to ask again', async () => {
    const { intake, store, workflow, checked } = setUp();
    // An earlier try of this delivery started the workflow, its write failed, and the workflow ended without it.
    await workflow.start(requestIdFor('T0:view:V1'));
    await expect(intake.submit('T0:view:V1', alice, checked, now)).rejects.toThrow(SubmissionSpentError);
    expect(await store.get(requestIdFor('T0:view:V1'))).toMatchObject({
      status: 'FAILED',
      reason: 'The approval workflow could not be started.',
    });
    // Its open request is free again: the next form counts nothing against it.
    await expect(intake.submit('T0:view:V2', alice, checked, now)).resolves.toMatchObject({ duplicate: false });
  });

  it('starts the workflow on the retry when the first start failed after the request was recorded', async () => {
    const { intake, store, workflow, checked } = setUp();
    workflow.faults.add('start', { error: new Error('ThrottlingException') });
    await expect(intake.submit('T0:view:V1', alice, checked, now)).rejects.toThrow('ThrottlingException');
    const id = requestIdFor('T0:view:V1');
    expect(await store.get(id)).toMatchObject({ status: 'PENDING' });
    expect(workflow.signals).toEqual([]);
    await expect(intake.submit('T0:view:V1', alice, checked, now)).resolves.toMatchObject({ duplicate: true });
    expect(workflow.signals).toEqual([{ kind: 'start', target: id, taken: true }]);
  });

  it('keeps one execution when the start answer was lost and the retry finds it started', async () => {
    const { intake, workflow, checked } = setUp();
    workflow.faults.add('start', { error: new Error('socket hang up'), afterWork: true });
    await expect(intake.submit('T0:view:V1', alice, checked, now)).rejects.toThrow('socket hang up');
    await intake.submit('T0:view:V1', alice, checked, now);
    expect(workflow.signals.map((s) => s.taken)).toEqual([true, false]);
  });

  it("refuses another person's delivery key rather than hand them someone else's request", async () => {
    const { intake, checked } = setUp();
    await intake.submit('T0:view:V1', alice, checked, now);
    const dave = { slackUserId: 'U0DAVE', ontapAccount: 'dave', zone: 'UTC' };
    await expect(intake.submit('T0:view:V1', dave, checked, now)).rejects.toThrow(DuplicateRequestError);
  });

  it("refuses past the policy's open requests, counted over every Slack id of the person", async () => {
    // U0ALICE2 is a second Slack id of the same person, listed with U0ALICE under people.
    const policies = [{ ...rawPolicy(), maxOpenRequests: 2 }];
    const accounts = { map: { U0ALICE: 'alice', U0ALICE2: 'alice' }, people: { alice: ['U0ALICE', 'U0ALICE2'] } };
    const aliased = parseConfig({
      ...TEST_CONFIG_FILE,
      slack: { ...TEST_CONFIG_FILE.slack, accounts },
      policies,
    });
    const { intake, store, checked } = setUp(aliased);
    await intake.submit('d1', alice, checked, now);
    await intake.submit('d2', { ...alice, slackUserId: 'U0ALICE2' }, checked, now);
    await expect(intake.submit('d3', alice, checked, now)).rejects.toThrow(OpenRequestLimitError);
    // A retried delivery of one already counted is not refused.
    await expect(intake.submit('d2', { ...alice, slackUserId: 'U0ALICE2' }, checked, now)).resolves.toMatchObject({
      duplicate: true,
    });
    // Two requests recorded, nothing written over them.
    expect(store.writes).toBe(0);
  });

  it('reads the open requests of every Slack id the configuration knows for the person at once, each once', async () => {
    const accounts = { map: { U0ALICE: 'alice', U0ALICE2: 'alice' }, people: { alice: ['U0ALICE', 'U0ALICE2'] } };
    const slack = { ...TEST_CONFIG_FILE.slack, accounts };
    const aliased = parseConfig({ ...TEST_CONFIG_FILE, slack, policies: [rawPolicy()] });
    const { ports, store, checked, log } = setUp(aliased);
    const reads: string[] = [];
    const list = store.listOpenByRequester.bind(store);
    store.listOpenByRequester = (userId) => {
      reads.push(userId);
      return list(userId);
    };
    const open = readOpenRequests(ports, 'U0ALICE');
    // Started before anyone knows more than the Slack id: its other ids come from the configuration alone.
    expect(reads.sort()).toEqual(['U0ALICE', 'U0ALICE2']);
    const input = { deliveryKey: 'd1', requester: alice, checked, resubmittable: true, open };
    await expect(submitRequest(ports, input, log)).resolves.toMatchObject({ duplicate: false });
    expect(reads).toHaveLength(2);
  });

  it('reads the ids the lookup adds (an account mapped from the e-mail) once the lookup is done', async () => {
    const slack = { ...TEST_CONFIG_FILE.slack, accounts: { map: { U0ALICE2: 'alice' } } };
    const aliased = parseConfig({ ...TEST_CONFIG_FILE, slack, policies: [rawPolicy()] });
    const { ports, store, checked, log } = setUp(aliased);
    await submitRequest(
      ports,
      { deliveryKey: 'd1', requester: { ...alice, slackUserId: 'U0ALICE2' }, checked, resubmittable: true },
      log,
    );
    const limited = { ...checked, policy: { ...checked.policy, maxOpenRequests: 1 } };
    // U0ALICE is not in the map: only its own id is read ahead; U0ALICE2 is read once the account is known.
    const open = readOpenRequests(ports, 'U0ALICE');
    const input = { deliveryKey: 'd2', requester: alice, checked: limited, resubmittable: true, open };
    await expect(submitRequest(ports, input, log)).rejects.toThrow(OpenRequestLimitError);
    await expect(store.get(requestIdFor('d2'))).rejects.toThrow(RequestNotFoundError);
  });
});

describe('a one-line request whose workflow could not be started', () => {
  it('is failed, so it does not wait forever', async () => {
    const { ports, store, workflow, checked, log } = setUp();
    workflow.faults.add('start', { error: new WorkflowCallError('StartExecution') });
    const input = { deliveryKey: 'T0:command:1', requester: alice, checked, resubmittable: false };
    await expect(submitRequest(ports, input, log)).rejects.toThrow(WorkflowCallError);
    expect(await store.get(requestIdFor('T0:command:1'))).toMatchObject({
      status: 'FAILED',
      reason: 'The approval workflow could not be started.',
    });
  });
});

/** The parts of a test configuration file this file changes. */
const TEST_CONFIG_FILE = {
  clusters: [{ name: 'cluster1' }],
  slack: { approvalChannel: APPROVAL_CHANNEL },
};

/** svm1-operators as a configuration file writes it. */
function rawPolicy(): Record<string, unknown> {
  return {
    name: 'svm1-operators',
    clusters: ['cluster1'],
    svms: ['svm1'],
    roles: ['vsadmin'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    defaultDuration: '1h',
    maxDuration: '8h',
    approvalTimeout: '4h',
  };
}
