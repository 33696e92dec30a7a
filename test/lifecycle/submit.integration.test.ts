/** submit over the real store (dynalite) and a Step Functions API recorder; submit.test.ts has its unit tests on in-memory ports. */
import { type Logger, LogLevel } from '@slack/bolt';
import { DateTime } from 'luxon';
import { loadConfig } from '../../lambdas/config/load';
import { requestIdFor, type SubmitPorts, submitRequest } from '../../lambdas/lifecycle/submit';
import { WorkflowCallError } from '../../lambdas/stepfunctions/errors';
import { useDynamo } from '../support/dynamo';
import { type StepFunctionsRecorder, startStepFunctionsRecorder } from '../support/step-functions';

const db = useDynamo();
let sfn: StepFunctionsRecorder;
beforeAll(async () => {
  sfn = await startStepFunctionsRecorder();
});
afterAll(() => sfn.close());
afterEach(() => sfn.reset());

const config = loadConfig();
const policy = config.policies[0]!;
const now = DateTime.fromISO('2026-11-22T10:00:00Z', { zone: 'utc' });
const requester = { slackUserId: 'U0ALICE', ontapAccount: 'alice', zone: 'UTC' };
const checked = {
  cluster: 'cluster1',
  svm: 'svm1',
  role: 'vsadmin',
  policy,
  durationSeconds: 3600,
  justification: 'needed for a fix',
};

describe('requestIdFor', () => {
  it('is the same for the same delivery and differs between deliveries', () => {
    expect(requestIdFor('T0:view:V1')).toBe(requestIdFor('T0:view:V1'));
    expect(requestIdFor('T0:view:V1')).not.toBe(requestIdFor('T0:view:V2'));
    expect(requestIdFor('T0:view:V1')).toMatch(/^JIT-[0-9A-HJKMNP-TV-Z]{12}$/);
  });
});

describe('submitRequest', () => {
  const quiet = (): void => undefined;
  const log: Logger = {
    ...{ debug: quiet, info: quiet, warn: quiet, error: quiet, setLevel: quiet, setName: quiet },
    getLevel: () => LogLevel.INFO,
  };
  const ports = (): SubmitPorts => ({
    store: db().store,
    workflow: sfn.workflow,
    config: {
      ...config,
      slack: { ...config.slack, accounts: { map: {}, emailLocalPart: false, trustedEmailDomains: [], people: {} } },
    },
    clock: { now: () => now.toMillis() },
  });
  const submit = (deliveryKey: string, who = requester, resubmittable = true) =>
    submitRequest(ports(), { deliveryKey, requester: who, checked, resubmittable }, log);

  it('records and starts once per delivery, and a repeat delivery finds the one execution', async () => {
    const first = await submit('T0:view:V100');
    const again = await submit('T0:view:V100');
    expect(first).toMatchObject({
      duplicate: false,
      request: { status: 'PENDING', createdAt: '2026-11-22T10:00:00Z' },
    });
    expect(again).toMatchObject({ duplicate: true, request: { id: first.request.id } });
    // The repeat starts again (idempotent by name), so a first try that died before its start is healed.
    expect(sfn.executions.map((e) => e.name)).toEqual([first.request.id]);
    const trail = await db().store.auditTrail(first.request.id);
    expect(trail.map((e) => e.type)).toEqual(['REQUESTED']);
  });

  it('does not hand one person’s request to another on a key collision', async () => {
    await submit('T0:view:V200');
    await expect(submit('T0:view:V200', { ...requester, slackUserId: 'U0BOB' })).rejects.toThrow('already exists');
  });

  it('leaves a modal’s request pending when the workflow cannot start, and the same delivery sent again starts it', async () => {
    sfn.failAll(true);
    await expect(submit('T0:view:V300')).rejects.toBeInstanceOf(WorkflowCallError);
    const id = requestIdFor('T0:view:V300');
    expect(await db().store.get(id)).toMatchObject({ status: 'PENDING' });
    expect((await db().store.get(id)).executionArn).toBeUndefined();

    sfn.failAll(false);
    const retried = await submit('T0:view:V300');
    expect(retried).toMatchObject({ duplicate: true, request: { id, status: 'PENDING' } });
    expect(sfn.executions.map((e) => e.name)).toEqual([id]);
  });

  it('closes a one-line request whose workflow cannot start, since nobody can send that delivery again', async () => {
    sfn.failAll(true);
    const carol = { ...requester, slackUserId: 'U0CAROL', ontapAccount: 'carol' };
    await expect(submit('T0:command:C400', carol, false)).rejects.toBeInstanceOf(WorkflowCallError);
    const closed = await db().store.get(requestIdFor('T0:command:C400'));
    expect(closed).toMatchObject({ status: 'FAILED', reason: 'The approval workflow could not be started.' });
  });

  it('refuses a person at the policy’s limit of open requests, recording nothing', async () => {
    const dave = { ...requester, slackUserId: 'U0DAVE', ontapAccount: 'dave' };
    const limited = { ...checked, policy: { ...policy, maxOpenRequests: 1 } };
    await submitRequest(
      ports(),
      { deliveryKey: 'T0:view:V500', requester: dave, checked: limited, resubmittable: true },
      log,
    );
    const second = { deliveryKey: 'T0:view:V501', requester: dave, checked: limited, resubmittable: true };
    await expect(submitRequest(ports(), second, log)).rejects.toThrow(/open/);
    await expect(db().store.get(requestIdFor('T0:view:V501'))).rejects.toThrow();
    // The first delivery sent again is not counted against itself.
    const again = { deliveryKey: 'T0:view:V500', requester: dave, checked: limited, resubmittable: true };
    await expect(submitRequest(ports(), again, log)).resolves.toMatchObject({ duplicate: true });
  });
});
