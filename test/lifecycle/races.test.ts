/**
 * Decisions landing in the gaps between the workflow's steps: the stored status decides, and a
 * task token the Slack side could not complete (it was not kept yet) is completed by the task itself.
 */
import { toUtcSecond } from '../../lambdas/domain/durations';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { make as makeValidateRequest } from '../../lambdas/handlers/validate-request';
import type { OntapClient } from '../../lambdas/ontap';
import { nowOf } from '../../lambdas/runtime/clock';
import { SVM_UUID, useWorkflowEnv } from '../support/workflow-env';

/** What to do right after a step, set per test. */
const after: {
  validate?: (id: string) => Promise<void>;
  grant?: (id: string) => Promise<void>;
  entryMade?: () => Promise<void>;
} = {};

/** The product's grant-access handler over this file's environment. */
const grantAccess = makeGrantAccess(async () => env().runtime);
/** The product's validate-request handler over this file's environment. */
const validateRequest = makeValidateRequest(async () => env().runtime);

const env = useWorkflowEnv({
  handlers: {
    'validate-request': async (event: { requestId: string }) => {
      const out = await validateRequest(event);
      await after.validate?.(event.requestId);
      return out;
    },
    'grant-access': async (event: { requestId: string }) => {
      const out = await grantAccess(event);
      await after.grant?.(event.requestId);
      return out;
    },
  },
  // The entry is on the cluster, the request not yet ACTIVE: the moment a cancel is most awkward.
  ontap: (client) =>
    new Proxy(client, {
      get(target, property) {
        if (property === 'ensureJitUser') {
          return async (...args: Parameters<OntapClient['ensureJitUser']>) => {
            const made = await target.ensureJitUser(...args);
            await after.entryMade?.();
            return made;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
});

beforeEach(() => {
  env().sim.reset();
  env().slack.reset();
  delete after.validate;
  delete after.grant;
  delete after.entryMade;
});

const now = (): string => toUtcSecond(nowOf(env().clock));
const requester = (ontapAccount: string) => ({ requester: { slackUserId: 'U0ALICE', ontapAccount } });

describe('a decision between two steps', () => {
  it('a cancel before the approval token is kept ends the wait at once, without an approval message', async () => {
    after.validate = async (id) => {
      // The Slack side records the cancel; there is no token for it to complete yet.
      expect((await env().cancel(id, asker)).ok).toBe(true);
      expect((await env().store.getStored(id)).tokens.approval).toBeUndefined();
    };
    const { id, executionArn, requester: asker } = await env().submit(requester('alice'));
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({
      AwaitApproval: 1,
      Cancelled: 1,
    });
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED' });
    expect(env().slack.messages.filter((m) => m.channel === 'C0APPROVALS')).toHaveLength(0);
  });

  it('a "Revoke now" before the end token is kept ends the grant at once', async () => {
    after.grant = async (id) => {
      expect((await env().revokeNow(id, asker)).ok).toBe(true);
      expect((await env().store.getStored(id)).tokens.end).toBeUndefined();
    };
    const { id, executionArn, requester: asker } = await env().submit(requester('bob'));
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0CAROL');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    const revoked = await env().store.get(id);
    expect(revoked).toMatchObject({ status: 'REVOKED', revokedBy: asker });
    expect(env().sim.jitEntries()).toEqual([]);
  });

  it('a cancel while the entry is being made takes the entry back', async () => {
    const { id, executionArn, requester: asker } = await env().submit(requester('carol'));
    after.entryMade = async () => {
      expect(env().sim.jitEntries()).toHaveLength(1);
      expect((await env().store.apply(id, { type: 'CANCEL', by: asker, at: now() })).ok).toBe(true);
    };
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({ Closed: 1 });
    expect(await env().store.get(id)).toMatchObject({ status: 'CANCELLED' });
    expect(env().sim.jitEntries()).toEqual([]);
    expect(
      await env().store.lockHolder({
        cluster: 'cluster1',
        svmUuid: SVM_UUID.svm1,
        account: 'carol',
        application: 'ssh',
      }),
    ).toBeUndefined();
  });

  it('a cancel during the wait for a scheduled start means nothing is granted', async () => {
    // Three real seconds ahead: the approval is told (a DM) before the wait begins, on a busy machine too.
    const requestedStart = toUtcSecond(nowOf(env().clock).plus({ hours: 3 }));
    const { id, executionArn, requester: asker } = await env().submit({ ...requester('joe.smith'), requestedStart });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    await env().local.sfn.whenEntered(executionArn, 'WaitForStart');
    expect((await env().cancel(id, asker)).ok).toBe(true);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered).toMatchObject({
      CheckBeforeGrant: 1,
      Cancelled: 1,
    });
    expect(env().jitCalls('POST')).toHaveLength(0);
  });
});
