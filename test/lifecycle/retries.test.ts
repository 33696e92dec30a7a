/**
 * The state machine retries what may pass, on the local runner with the synthesized definition:
 * a throttled Lambda invocation is invoked again instead of failing the request, and a contended
 * or throttled table while AwaitEnd keeps its token is tried again instead of ending the grant at
 * once (the window still runs to its approved end).
 */

import type { AccessRequest } from '../../lambdas/domain/request';
import { make as makeAwaitEnd } from '../../lambdas/handlers/await-end';
import { make as makeGrantAccess } from '../../lambdas/handlers/grant-access';
import { ContentionError } from '../../lambdas/store/errors';
import { DYNAMODB_THROTTLING_ERRORS, LAMBDA_THROTTLED } from '../../lib/workflow-definition';
import { useWorkflowEnv } from '../support/workflow-env';

/** Errors the next invocations of a task throw before it runs, oldest first. */
const failures: { 'await-end': Error[]; 'grant-access': Error[] } = { 'await-end': [], 'grant-access': [] };
const named = (name: string): Error => Object.assign(new Error(`${name} (injected)`), { name });

/** The product's await-end handler over this file's environment. */
const awaitEnd = makeAwaitEnd(async () => env().runtime);
/** The product's grant-access handler over this file's environment. */
const grantAccess = makeGrantAccess(async () => env().runtime);

const env = useWorkflowEnv({
  handlers: {
    'await-end': async (event: unknown) => {
      const failure = failures['await-end'].shift();
      if (failure) throw failure;
      return awaitEnd(event);
    },
    'grant-access': async (event: unknown) => {
      const failure = failures['grant-access'].shift();
      if (failure) throw failure;
      return grantAccess(event);
    },
  },
});

const as = (ontapAccount: string): Pick<AccessRequest, 'requester'> => ({
  requester: { slackUserId: 'U0ALICE', ontapAccount },
});

beforeEach(() => {
  env().sim.reset();
  failures['await-end'] = [];
  failures['grant-access'] = [];
});

describe('a throttled Lambda invocation', () => {
  it('is invoked again: the approved grant is made, not failed', async () => {
    failures['grant-access'].push(named(LAMBDA_THROTTLED), named(LAMBDA_THROTTLED));
    const { id, executionArn } = await env().submit({ ...as('alice'), durationSeconds: 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(failures['grant-access']).toEqual([]);
    expect(env().jitCalls('POST')).toHaveLength(1);
    expect((await env().store.get(id)).status).toBe('EXPIRED');
  });
});

describe('AwaitEnd', () => {
  const transient: [string, () => Error][] = [
    ['a contended table (ContentionError)', () => new ContentionError('x', 5)],
    ...DYNAMODB_THROTTLING_ERRORS.map((name): [string, () => Error] => [
      `DynamoDB throttling (${name})`,
      () => named(name),
    ]),
  ];

  it.each(transient)('tries again after %s: the entry stays until the approved end', async (_what, error) => {
    failures['await-end'].push(error());
    const { id, executionArn } = await env().submit({ ...as('bob'), durationSeconds: 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0CAROL');
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(failures['await-end']).toEqual([]);
    const ended = await env().store.get(id);
    if (ended.status !== 'EXPIRED' || !ended.window) throw new Error(`expected EXPIRED, got ${ended.status}`);
    // Removed at the window's end (simulator time), not as soon as keeping the token failed.
    const removal = env().jitCalls('DELETE').at(-1);
    expect(Date.parse(removal?.time ?? '')).toBeGreaterThanOrEqual(Date.parse(ended.window.end));
  });

  it('still ends the grant when keeping the token keeps failing', async () => {
    failures['await-end'].push(...Array.from({ length: 10 }, () => new ContentionError('x', 5)));
    const { id, executionArn } = await env().submit({ ...as('carol'), durationSeconds: 3600 });
    await env().waiting(executionArn, 'AwaitApproval');
    await env().approve(id, 'U0BOB');
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(
      env()
        .sim.jitEntries()
        .filter((e) => JSON.stringify(e).includes(id)),
    ).toEqual([]);
    expect((await env().store.get(id)).status).toBe('EXPIRED');
  });
});
