/**
 * A submission's two calls, the request's write and its workflow's start, made at once, through the signed
 * Slack ingress, the real workflow on the local runner, and dynalite behind the DynamoDB fault proxy. Every
 * order and failure between them: the start arriving while the write is still held; a retried delivery; the
 * write refused while the start went through (the person is told it failed, and the workflow ends quietly
 * with nothing recorded, asked or granted); the write late beyond the start (validate finds it, and the
 * lifecycle runs to its end); a form sent again while the workflow waits, or after it gave up; the start
 * failing (a one-line request closed, a modal's request waiting for the form to be sent again).
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { make as makeValidate } from '../../lambdas/handlers/validate-request';
import { requestIdFor } from '../../lambdas/lifecycle/submit';
import { RequestNotFoundError } from '../../lambdas/store/errors';
import { REQUEST_SK, requestPk } from '../../lambdas/store/table';
import { RECORD_WAIT } from '../../lib/workflow-definition';
import { commandBody, signedHeaders, TEAM } from '../support/slack';
import { useWorkflowEnv } from '../support/workflow-env';

/** Run before each Validate task (set per test): holds the workflow's first step. */
const beforeValidate: { hook?: () => Promise<void> } = {};
const validate = makeValidate(async () => env().runtime);
const env = useWorkflowEnv({
  ingress: true,
  dynamoProxy: true,
  handlers: {
    'validate-request': async (event: unknown) => {
      await beforeValidate.hook?.();
      return validate(event);
    },
  },
});

type Body = Record<string, unknown>;
const attr = (value: unknown, key: string): string | undefined =>
  (value as Record<string, { S?: string } | undefined> | undefined)?.[key]?.S;

/** The submission's write: the conditional PutItem that makes a request item. */
const isCreate = (operation: string, body: Body): boolean =>
  operation === 'PutItem' &&
  attr(body.Item, 'sk') === REQUEST_SK &&
  body.ConditionExpression === 'attribute_not_exists(pk)';

/** A read of the request item `id` (what validate does first). */
const isRead = (operation: string, body: Body, id: string): boolean =>
  operation === 'GetItem' && attr(body.Key, 'pk') === requestPk(id) && attr(body.Key, 'sk') === REQUEST_SK;

/**
 * Resolves true once `condition` holds, or false after `guardMs`: a hold that never ends would hang the
 * test rather than fail it; the tests assert the order the condition shows, never the time it took.
 */
function until(condition: () => boolean, guardMs = 5000): Promise<boolean> {
  const began = Date.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const met = condition();
      if (met || Date.now() - began > guardMs) {
        clearInterval(timer);
        resolve(met);
      }
    }, 2);
  });
}

const executionNames = (): string[] =>
  env()
    .local.sfn.listExecutions()
    .map((e) => e.name);

/** The executions started since `before` (a list of names). */
const startedSince = (before: readonly string[]): string[] => executionNames().filter((n) => !before.includes(n));

/** The audit items stored for `id` (the raw items, not the trail read, which repairs itself). */
async function auditItems(id: string): Promise<unknown[]> {
  const doc = DynamoDBDocumentClient.from(env().dynamo.client);
  const out = await doc.send(
    new QueryCommand({
      TableName: env().dynamo.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': requestPk(id), ':a': 'AUDIT#' },
    }),
  );
  return out.Items ?? [];
}

/** The request item `id` as stored, read straight from dynalite (not through the fault proxy). */
async function storedItem(id: string): Promise<unknown> {
  const doc = DynamoDBDocumentClient.from(env().dynamo.client);
  const key = { pk: requestPk(id), sk: REQUEST_SK };
  return (await doc.send(new GetCommand({ TableName: env().dynamo.tableName, Key: key }))).Item;
}

/** Every Slack message that names `id` (the approval message, the requester's DMs). */
const messagesNaming = (id: string): string[] =>
  env()
    .slack.messages.map((m) => JSON.stringify(m))
    .filter((m) => m.includes(id));

/** Opens the request form for `user`; its view id and the request id its submission makes. */
async function openForm(user: string): Promise<{ viewId: string; id: string }> {
  const before = new Set(env().slack.views.keys());
  await env().ingress.command(user, '');
  const viewId = [...env().slack.views.keys()].find((k) => !before.has(k));
  if (viewId === undefined) throw new Error('/jit opened no form');
  return { viewId, id: requestIdFor(`${TEAM}:view:${viewId}`) };
}

const FORM = { justification: 'Rotate the keys' };

/** Once request `id` waits for approval, its requester cancels it; its workflow runs to its end. */
async function cancelOnceWaiting(id: string, executionArn: string): Promise<void> {
  await env().waiting(executionArn, 'AwaitApproval');
  await env().ingress.click('U0ALICE', 'jit_cancel', id);
  expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
}

afterEach(() => {
  beforeValidate.hook = undefined;
  env().dynamoProxy.chooser = undefined;
  env().dynamoProxy.holder = undefined;
  env().local.faults.clear();
});

describe('the write and the start, made at once', () => {
  it('one-line: the start arrives while the write is held, and one request and one execution result', async () => {
    const before = executionNames();
    let startedFirst: boolean | undefined;
    env().dynamoProxy.holder = (operation, body) =>
      isCreate(operation, body)
        ? until(() => startedSince(before).length > 0).then((met) => {
            startedFirst = met;
          })
        : undefined;
    const { id, executionArn, reply } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    expect(startedFirst).toBe(true);
    expect(reply).toContain(`Submitted: request \`${id}\``);
    await env().waiting(executionArn, 'AwaitApproval');
    expect(startedSince(before)).toEqual([id]);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('modal: the start arrives while the write is held, and the form closes on one request', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    const before = executionNames();
    let startedFirst: boolean | undefined;
    env().dynamoProxy.holder = (operation, body) =>
      isCreate(operation, body)
        ? until(() => startedSince(before).includes(id)).then((met) => {
            startedFirst = met;
          })
        : undefined;
    const answer = await env().ingress.submitView('U0ALICE', viewId, FORM);
    expect(startedFirst).toBe(true);
    expect(answer.body).toBe('');
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect((await env().store.get(id)).status).toBe('PENDING');
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('a one-line delivery Slack sends twice at once makes one request and one execution', async () => {
    const slack = env().slack;
    const body = commandBody({
      user: 'U0ALICE',
      text: 'svm1 vsadmin 1h Check the quotas',
      trigger: slack.issueTrigger('U0ALICE'),
      responseUrl: slack.issueResponseUrl(),
    });
    const form = 'application/x-www-form-urlencoded';
    const before = executionNames();
    const answers = await Promise.all([
      env().ingress.post(body, signedHeaders(body, form)),
      env().ingress.post(body, signedHeaders(body, form, { retryNum: 1 })),
    ]);
    const texts = answers.map((a) => String((a.json() as { text?: string }).text)).sort();
    const started = startedSince(before);
    expect(started).toHaveLength(1);
    const id = started[0] as string;
    // One try made it; the other found it (which one is the retry does not matter).
    expect(texts[0]).toContain(`Already submitted: request \`${id}\``);
    expect(texts[1]).toContain(`Submitted: request \`${id}\``);
    const executionArn = env().workflow.executionArnOf(id);
    await cancelOnceWaiting(id, executionArn);
    expect(await auditItems(id)).toHaveLength(2);
  });
});

describe('the write refused while the start went through', () => {
  it('tells the person it failed; the workflow waits, then ends quietly, nothing recorded or granted', async () => {
    env().dynamoProxy.chooser = (operation, body) => (isCreate(operation, body) ? 'server-error' : undefined);
    const before = executionNames();
    const { answer, responses } = await env().ingress.command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    expect(answer.status).toBe(200);
    const shown = responses()
      .map((r) => String(r.text))
      .join('\n');
    expect(shown).toContain('Something went wrong on our side');
    expect(shown).not.toContain('Submitted');

    const [id] = startedSince(before);
    if (id === undefined) throw new Error('the start was not made beside the write');
    const executionArn = env().workflow.executionArnOf(id);
    const done = await env().finished(executionArn);
    // A quiet end, not a failure an operator is paged for.
    expect(done.status).toBe('SUCCEEDED');
    const counts = env().local.counters.execution(executionArn);
    expect(counts.statesEntered.NotRecorded).toBe(1);
    // Read again for the whole wait: the first try and every retry.
    expect(counts.taskInvocations['validate-request']).toBe(RECORD_WAIT.attempts + 1);
    expect(Object.keys(counts.taskInvocations)).toEqual(['validate-request']);

    await expect(env().store.get(id)).rejects.toBeInstanceOf(RequestNotFoundError);
    expect(await auditItems(id)).toEqual([]);
    expect(env().jitCalls('POST')).toEqual([]);
    expect(messagesNaming(id)).toEqual([]);
    expect(env().dynamoProxy.injected.get('server-error PutItem')).toBeGreaterThanOrEqual(1);
  });

  it('a form sent again while the workflow waits records the request, and that workflow goes on with it', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    env().dynamoProxy.chooser = (operation, body) => (isCreate(operation, body) ? 'server-error' : undefined);
    // After the first answer (the submission reads back a write that failed on DynamoDB's side), the
    // workflow's reads are held until the form has been sent again: it is still waiting then.
    let firstAnswered = false;
    let sentAgain = false;
    let heldUntilSentAgain = true;
    env().dynamoProxy.holder = (operation, body) =>
      firstAnswered && isRead(operation, body, id)
        ? until(() => sentAgain).then((met) => {
            heldUntilSentAgain &&= met;
          })
        : undefined;
    const failed = await env().ingress.submitView('U0ALICE', viewId, FORM);
    firstAnswered = true;
    expect(JSON.stringify(failed.json())).toContain('Something went wrong on our side');
    // Read past the proxy, which holds the workflow's reads.
    expect(await storedItem(id)).toBeUndefined();

    env().dynamoProxy.chooser = undefined;
    const again = await env().ingress.submitView('U0ALICE', viewId, FORM);
    sentAgain = true;
    expect(again.body).toBe('');
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect(heldUntilSentAgain).toBe(true);
    expect(executionNames().filter((n) => n === id)).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
    expect(env().local.counters.execution(executionArn).statesEntered.NotRecorded).toBeUndefined();
  });

  it('a form sent again after the workflow gave up is closed, the person told to ask again, nobody asked', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    env().dynamoProxy.chooser = (operation, body) => (isCreate(operation, body) ? 'server-error' : undefined);
    await env().ingress.submitView('U0ALICE', viewId, FORM);
    const executionArn = env().workflow.executionArnOf(id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');

    env().dynamoProxy.chooser = undefined;
    const late = await env().ingress.submitView('U0ALICE', viewId, FORM);
    expect(JSON.stringify(late.json())).toContain('can no longer make a request');
    expect(await env().store.get(id)).toMatchObject({ status: 'FAILED' });
    expect(messagesNaming(id)).toEqual([]);
    // It holds none of the person's open requests: a new form goes through.
    const next = await openForm('U0ALICE');
    expect((await env().ingress.submitView('U0ALICE', next.viewId, FORM)).body).toBe('');
    const nextArn = env().workflow.executionArnOf(next.id);
    await env().waiting(nextArn, 'AwaitApproval');
    await env().ingress.click('U0ALICE', 'jit_cancel', next.id);
    expect((await env().finished(nextArn)).status).toBe('SUCCEEDED');
  });
});

describe('the write made but its answer lost', () => {
  /** Loses every answer to the submission's write (each SDK attempt's): the first lands, the others find it there. */
  const loseWriteAnswers = (): void => {
    env().dynamoProxy.chooser = (operation, body) => (isCreate(operation, body) ? 'lost-write-answer' : undefined);
  };

  it('one-line: the request is read back, and the person told it was submitted; it goes to approval', async () => {
    loseWriteAnswers();
    const before = executionNames();
    const { responses } = await env().ingress.command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    const [id] = startedSince(before);
    if (id === undefined) throw new Error('the start was not made beside the write');
    expect(env().dynamoProxy.injected.get('lost-write-answer PutItem')).toBeGreaterThanOrEqual(1);
    const shown = JSON.stringify(responses());
    expect(shown).toContain(`Submitted: request \`${id}\``);
    expect(shown).not.toContain('went wrong');
    env().dynamoProxy.chooser = undefined;
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect(await env().store.listOpenByRequester('U0ALICE')).toEqual([expect.objectContaining({ id })]);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('modal: the form closes on the request read back', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    loseWriteAnswers();
    const answer = await env().ingress.submitView('U0ALICE', viewId, FORM);
    expect(answer.body).toBe('');
    env().dynamoProxy.chooser = undefined;
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect(executionNames().filter((n) => n === id)).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('the read back failing too: the person is told it may have been recorded, never that nothing was', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    // The workflow's first step waits for the answer, so only the submission's own read fails.
    let answered = false;
    beforeValidate.hook = () => until(() => answered).then(() => undefined);
    env().dynamoProxy.chooser = (operation, body) =>
      isCreate(operation, body) ? 'lost-write-answer' : isRead(operation, body, id) ? 'server-error' : undefined;
    const unsure = await env().ingress.submitView('U0ALICE', viewId, FORM);
    answered = true;
    env().dynamoProxy.chooser = undefined;
    const said = JSON.stringify(unsure.json());
    expect(said).toContain('could not confirm that your request was recorded');
    expect(said).toContain('you will get a direct message once it goes to the approvers');
    expect(said).toContain('Sending this form again is safe');
    expect(said).not.toContain('nothing was changed');
    expect(env().dynamoProxy.injected.get('server-error GetItem')).toBeGreaterThanOrEqual(1);
    // It was recorded: its workflow asks for approval, and the form sent again is that same request.
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect((await env().ingress.submitView('U0ALICE', viewId, FORM)).body).toBe('');
    expect(executionNames().filter((n) => n === id)).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('one-line, the read back failing too: the person is pointed at /jit list, not asked to type it again', async () => {
    const before = executionNames();
    let answered = false;
    beforeValidate.hook = () => until(() => answered).then(() => undefined);
    env().dynamoProxy.chooser = (operation, body) => {
      if (isCreate(operation, body)) return 'lost-write-answer';
      const [id] = startedSince(before);
      return id !== undefined && isRead(operation, body, id) ? 'server-error' : undefined;
    };
    const { responses } = await env().ingress.command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    answered = true;
    env().dynamoProxy.chooser = undefined;
    const shown = JSON.stringify(responses());
    expect(shown).toContain('could not confirm that your request was recorded');
    expect(shown).toContain('Check /jit list before asking again');
    expect(shown).not.toContain('nothing was changed');
    const [id] = startedSince(before);
    if (id === undefined) throw new Error('the start was not made beside the write');
    // Recorded after all: its workflow finds it and asks for approval.
    const executionArn = env().workflow.executionArnOf(id);
    await env().waiting(executionArn, 'AwaitApproval');
    expect(messagesNaming(id).length).toBeGreaterThan(0);
    await env().ingress.click('U0ALICE', 'jit_cancel', id);
    expect((await env().finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('the start failing too: a form sent again is safe, and starts the one request it finds', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    env().local.faults.add('StartExecution', 2);
    env().dynamoProxy.chooser = (operation, body) =>
      isCreate(operation, body) ? 'lost-write-answer' : isRead(operation, body, id) ? 'server-error' : undefined;
    const unsure = await env().ingress.submitView('U0ALICE', viewId, FORM);
    env().dynamoProxy.chooser = undefined;
    const said = JSON.stringify(unsure.json());
    expect(said).toContain('could not confirm that your request was recorded');
    // Nothing is on its way: no promise of a message.
    expect(said).not.toContain('direct message');
    expect(said).toContain('Sending this form again is safe');
    expect(executionNames()).not.toContain(id);
    expect((await env().ingress.submitView('U0ALICE', viewId, FORM)).body).toBe('');
    const executionArn = env().workflow.executionArnOf(id);
    await cancelOnceWaiting(id, executionArn);
  });

  it('a write refused outright (throttled) is not read back: nothing was recorded, and the person is told so', async () => {
    env().dynamoProxy.chooser = (operation, body) => (isCreate(operation, body) ? 'throttle' : undefined);
    const before = executionNames();
    // The workflow's first step waits for the answer: every read of the request before it is the submission's.
    let answered = false;
    beforeValidate.hook = () => until(() => answered).then(() => undefined);
    let readBack = 0;
    env().dynamoProxy.holder = (operation, body) => {
      const [id] = startedSince(before);
      if (!answered && id !== undefined && isRead(operation, body, id)) readBack += 1;
      return undefined;
    };
    const { responses } = await env().ingress.command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    answered = true;
    env().dynamoProxy.chooser = undefined;
    expect(JSON.stringify(responses())).toContain('nothing was changed');
    expect(readBack).toBe(0);
    const [id] = startedSince(before);
    if (id === undefined) throw new Error('the start was not made beside the write');
    expect((await env().finished(env().workflow.executionArnOf(id))).status).toBe('SUCCEEDED');
    await expect(env().store.get(id)).rejects.toBeInstanceOf(RequestNotFoundError);
  });
});

describe('the write late beyond the start', () => {
  it('validate reads again until it lands, and the lifecycle runs to its end', async () => {
    const before = executionNames();
    // The write is held until the workflow has read for the request and come back for it (a state retry).
    let readsBeforeWrite = 0;
    env().dynamoProxy.holder = (operation, body) => {
      const [id] = startedSince(before);
      if (id !== undefined && isRead(operation, body, id)) readsBeforeWrite += 1;
      return isCreate(operation, body) ? until(() => readsBeforeWrite >= 2).then(() => undefined) : undefined;
    };
    const { id, executionArn, reply } = await env().ingress.request('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    env().dynamoProxy.holder = undefined;
    expect(readsBeforeWrite).toBeGreaterThanOrEqual(2);
    expect(reply).toContain(`Submitted: request \`${id}\``);

    await env().waiting(executionArn, 'AwaitApproval');
    const { responses } = await env().ingress.click('U0BOB', 'jit_approve', id);
    expect(JSON.stringify(responses())).not.toContain('went wrong');
    await env().waiting(executionArn, 'AwaitEnd');
    expect(env().jitCalls('POST', id)).toHaveLength(1);
    await env().ingress.click('U0ALICE', 'jit_revoke', id);
    const done = await env().finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(await env().store.get(id)).toMatchObject({ status: 'REVOKED' });
    expect(env().local.counters.execution(executionArn).statesEntered.NotRecorded).toBeUndefined();
  });
});

describe('the start failing while the write went through', () => {
  it('closes a one-line request at once: nobody can send that command again', async () => {
    env().local.faults.add('StartExecution', 2);
    const before = executionNames();
    const { responses } = await env().ingress.command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    expect(JSON.stringify(responses())).toContain('could not be reached');
    expect(startedSince(before)).toEqual([]);
    // Recorded, then closed as never started: it holds none of the person's open requests.
    const [newest] = await env().store.listByRequester('U0ALICE', 1);
    expect(newest).toMatchObject({ status: 'FAILED', reason: 'The approval workflow could not be started.' });
    expect(executionNames()).not.toContain(newest?.id);
    expect(await env().store.listOpenByRequester('U0ALICE')).toEqual([]);
  });

  it('keeps a modal’s request waiting: the form sent again starts its workflow', async () => {
    const { viewId, id } = await openForm('U0ALICE');
    env().local.faults.add('StartExecution', 2);
    const failed = await env().ingress.submitView('U0ALICE', viewId, FORM);
    expect(JSON.stringify(failed.json())).toContain('could not be reached');
    expect(await env().store.get(id)).toMatchObject({ status: 'PENDING' });
    expect(executionNames()).not.toContain(id);

    expect((await env().ingress.submitView('U0ALICE', viewId, FORM)).body).toBe('');
    const executionArn = env().workflow.executionArnOf(id);
    await cancelOnceWaiting(id, executionArn);
  });
});
