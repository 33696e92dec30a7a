/**
 * The request workflow as a Standard state machine (JSONPath), used by the CDK stack and by the
 * local runner alike (local/stepfunctions runs the very ASL this synthesizes).
 *
 *   Validate ─► AwaitApproval ─► RouteDecision ─┬─(GRANT)─► Grant ─► AwaitEnd ─► Revoke ─► Ended
 *      │           │                            ├─(any other completion of the wait)─► CheckApproval ─► RouteDecision
 *      │           │                            ├─► WaitForStart ─► CheckBeforeGrant ─► RouteDecision
 *      │           │                            ├─► Denied | Cancelled | ApprovalExpired | Closed
 *      │           │                            └─► RenewApprovalWait ─► AwaitApproval
 *      │           ├─(timeout)─► CheckApproval ─► RouteDecision
 *      │           └─(error)─► RecordApprovalNotPosted ─► ApprovalNotPosted
 *      ├─(RequestInvalidError)─► RecordInvalid ─► Refused
 *      ├─(RequestNotRecordedError, read again for RECORD_WAIT)─► NotRecorded
 *      └─(other)─► RecordValidationError ─► ValidationError
 *   Grant ─(error)─► RecordGrantFailure ─► GrantFailed;   Revoke ─(error)─► RecordRevokeFailure ─► RevokeFailed
 *   Revoke ─(GrantNotOverError: woken before the end, the end moved)─► PlanEndWait ─► AwaitEnd
 *
 * Task results are kept under `$.validation`, `$.decision`, `$.grant`, `$.endWait`, `$.revoke`,
 * `$.error` (lambdas/lifecycle/task-io.ts). The Slack side completes the task tokens only after it
 * has written the decision to DynamoDB, and every step after a wait re-reads the stored request. An
 * approval wait completed with GRANT (an approval to grant now, by the same rule as CheckApproval's,
 * from the request as written: domain/approval-route.ts) goes straight to the grant, which re-reads it
 * and stops if it changed meanwhile; every other completion and a timeout go through CheckApproval, so
 * the stored status, not a token's output, decides where to go.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR_NAMES } from '../lambdas/domain/error-names';
import { RESULT_PATHS } from '../lambdas/lifecycle/task-io';

/** The workflow's task functions, one Lambda entry point each (`lambdas/handlers/<task>.ts`). */
export const WORKFLOW_TASKS = [
  'validate-request',
  'await-approval',
  'check-approval',
  'grant-access',
  'await-end',
  'revoke-access',
  'record-outcome',
] as const;

/** One of the workflow's task functions. */
export type WorkflowTask = (typeof WORKFLOW_TASKS)[number];

/**
 * DynamoDB's throttling errors, as a task reports them once the SDK's own retries are spent (on
 * demand tables throttle too, on a hot partition or a sudden peak).
 */
export const DYNAMODB_THROTTLING_ERRORS = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
] as const;

/** Error names a retry may help with: the cluster was busy or unreachable, the table contended or throttled. */
export const TRANSIENT_ERRORS = [
  ERROR_NAMES.ontapTransient,
  ERROR_NAMES.contention,
  ERROR_NAMES.writeUnconfirmed,
  ...DYNAMODB_THROTTLING_ERRORS,
] as const;

/** Error names of a Slack Web API call that may succeed when tried again. */
export const SLACK_TRANSIENT_ERRORS = [ERROR_NAMES.slackTransient] as const;

/**
 * Lambda refused the invocation because the account or function is at its concurrency limit.
 * The LambdaInvoke task's default retry covers Lambda's other service errors, not this one.
 */
export const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';

/** Error names the workflow itself raises or matches (Fail states and Catch clauses). */
export const WORKFLOW_ERRORS = {
  requestClosed: ERROR_NAMES.requestClosed,
  requestInvalid: ERROR_NAMES.requestInvalid,
  requestNotRecorded: ERROR_NAMES.requestNotRecorded,
  grantNotOver: ERROR_NAMES.grantNotOver,
} as const;

/**
 * How Validate reads again for a request not recorded yet (submit writes it beside the start, so the write
 * may land after the first read, or never): 1, 2, 4 ... seconds, then every 30 s, about eight minutes in
 * all. Longer than the Slack endpoint may spend on the write (its 10-second timeout), and about as long as a
 * person shown "try again" in the still-open form takes to send it again: that retry records the request
 * under the same name, and this execution goes on with it within 30 s. No jitter: the wait is a bound.
 */
export const RECORD_WAIT = { interval: 1, attempts: 20, maxDelay: 30 } as const;

/** How long one task's Lambda may run before the state gives up on it (the function's own timeout is shorter). */
export const TASK_TIMEOUT = Duration.seconds(90);

/** Options of the workflow definition. */
export interface WorkflowDefinitionProps {
  /** The task functions, by task name. */
  readonly functions: Readonly<Record<WorkflowTask, lambda.IFunction>>;
}

/** The definition: the chain to hand to a StateMachine, and its body. */
export interface WorkflowDefinition {
  readonly chain: sfn.IChainable;
  readonly definitionBody: sfn.DefinitionBody;
}

/**
 * Builds the workflow's states under `scope` (in a child construct `States`, so state names never
 * clash with other construct ids in `scope`).
 */
export function buildWorkflowDefinition(scope: Construct, props: WorkflowDefinitionProps): WorkflowDefinition {
  const s = new Construct(scope, 'States');
  const fn = props.functions;
  const requestId = sfn.JsonPath.stringAt('$.requestId');

  /**
   * Every Lambda task first retries Lambda's throttling, with backoff and jitter, before any other
   * retrier or catch sees it: a throttled invocation did not run, so running it again is safe.
   */
  const retryThrottling = (task: tasks.LambdaInvoke): tasks.LambdaInvoke => {
    task.addRetry({
      errors: [LAMBDA_THROTTLED],
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };

  /** A plain Lambda task: the payload in, the handler's return value out (at `resultPath`). */
  const invoke = (
    id: string,
    task: WorkflowTask,
    payload: Record<string, unknown>,
    resultPath: string | typeof sfn.JsonPath.DISCARD,
  ): tasks.LambdaInvoke =>
    retryThrottling(
      new tasks.LambdaInvoke(s, id, {
        lambdaFunction: fn[task],
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject(payload),
        resultPath,
        taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
      }),
    );

  /** A task that invokes a Lambda with a task token and waits until someone completes it (or the timeout). */
  const awaitToken = (id: string, task: WorkflowTask, timeoutPath: string, resultPath: string): tasks.LambdaInvoke =>
    retryThrottling(
      new tasks.LambdaInvoke(s, id, {
        lambdaFunction: fn[task],
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ requestId, taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.at(timeoutPath),
        resultPath,
      }),
    );

  const retryTransient = (
    task: tasks.LambdaInvoke,
    errors: readonly string[],
    opts: { interval: number; attempts: number; maxDelay: number },
  ): void => {
    task.addRetry({
      errors: [...errors],
      interval: Duration.seconds(opts.interval),
      maxAttempts: opts.attempts,
      backoffRate: 2,
      maxDelay: Duration.seconds(opts.maxDelay),
      jitterStrategy: sfn.JitterType.FULL,
    });
  };

  const recordOutcome = (id: string, outcome: string): tasks.LambdaInvoke => {
    const task = invoke(
      id,
      'record-outcome',
      { requestId, outcome, error: sfn.JsonPath.objectAt(RESULT_PATHS.error) },
      RESULT_PATHS.outcome,
    );
    retryTransient(task, TRANSIENT_ERRORS, { interval: 5, attempts: 6, maxDelay: 120 });
    return task;
  };

  // Ends. Business outcomes succeed; failures that need an operator fail, so they show in the
  // ExecutionsFailed metric and its alarm.
  const failure = (name: string, cause: string): sfn.Fail => new sfn.Fail(s, name, { error: name, cause });
  const refused = new sfn.Succeed(s, 'Refused', { comment: 'The request was invalid; the requester was told why.' });
  const validationError = failure('ValidationError', 'The request could not be checked against the cluster.');
  const approvalNotPosted = failure('ApprovalNotPosted', 'The approval message could not be posted.');
  const denied = new sfn.Succeed(s, 'Denied');
  const cancelled = new sfn.Succeed(s, 'Cancelled');
  const approvalExpired = new sfn.Succeed(s, 'ApprovalExpired', {
    comment: 'Nobody approved within the approval timeout.',
  });
  const closed = new sfn.Succeed(s, 'Closed', { comment: 'The request was closed elsewhere; nothing to do.' });
  const notRecorded = new sfn.Succeed(s, 'NotRecorded', {
    comment: 'No request was recorded for this workflow (its submission failed, and the person was told so).',
  });
  const grantFailed = failure('GrantFailed', 'The access could not be granted on the cluster.');
  const ended = new sfn.Succeed(s, 'Ended', { comment: 'The grant ended (window over or revoked) and was removed.' });
  const revokeFailed = failure(
    'RevokeFailed',
    'The JIT entry could not be removed; ONTAP ends it at its jit_validity regardless.',
  );

  /** What a task that talks to Slack or the table retries on a passing failure before it gives up. */
  const quickRetry = { interval: 2, attempts: 3, maxDelay: 30 };

  /**
   * Sends what `task` throws (`errors`, by default anything) to `end`, after recording `outcome` on the
   * request; the error is kept beside the state for the record. Catches are tried in the order added.
   */
  const failTo = (
    task: tasks.LambdaInvoke,
    end: sfn.IChainable,
    record: { id: string; outcome: string },
    errors: string[] = [sfn.Errors.ALL],
  ): void => {
    task.addCatch(recordOutcome(record.id, record.outcome).next(end), { errors, resultPath: RESULT_PATHS.error });
  };

  /** Ends the workflow quietly when a task finds the request closed elsewhere. */
  const closeWhenClosed = (task: tasks.LambdaInvoke): void => {
    task.addCatch(closed, { errors: [WORKFLOW_ERRORS.requestClosed], resultPath: RESULT_PATHS.error });
  };

  // Validate: policy and ONTAP prerequisites; records the SVM uuid; tells the requester.
  const validate = invoke(
    'Validate',
    'validate-request',
    { requestId, executionArn: sfn.JsonPath.stringAt('$$.Execution.Id') },
    RESULT_PATHS.validation,
  );
  retryTransient(validate, TRANSIENT_ERRORS, quickRetry);
  validate.addRetry({
    errors: [WORKFLOW_ERRORS.requestNotRecorded],
    interval: Duration.seconds(RECORD_WAIT.interval),
    maxAttempts: RECORD_WAIT.attempts,
    backoffRate: 2,
    maxDelay: Duration.seconds(RECORD_WAIT.maxDelay),
  });
  closeWhenClosed(validate);
  // Never recorded: nothing was granted, asked or told, so the workflow ends quietly (no failure, no alarm).
  validate.addCatch(notRecorded, { errors: [WORKFLOW_ERRORS.requestNotRecorded], resultPath: RESULT_PATHS.error });
  failTo(validate, refused, { id: 'RecordInvalid', outcome: 'VALIDATION_FAILED' }, [WORKFLOW_ERRORS.requestInvalid]);
  failTo(validate, validationError, { id: 'RecordValidationError', outcome: 'VALIDATION_FAILED' });

  // AwaitApproval: keeps the token in DynamoDB, posts the approval message, waits for a decision. Its
  // completion (or its timeout) replaces `$.decision`, so no route of an earlier round is ever taken again.
  const awaitApproval = awaitToken(
    'AwaitApproval',
    'await-approval',
    `${RESULT_PATHS.validation}.approvalTimeoutSeconds`,
    RESULT_PATHS.decision,
  );
  retryTransient(awaitApproval, [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS], quickRetry);
  const checkApproval = invoke(
    'CheckApproval',
    'check-approval',
    { requestId, phase: 'approval', wait: sfn.JsonPath.objectAt(RESULT_PATHS.decision) },
    RESULT_PATHS.decision,
  );
  // The check asks Slack whether the requester still qualifies: Slack's passing failures are retried too.
  retryTransient(checkApproval, [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS], quickRetry);
  // A timeout is not a failure: the check re-reads, since an approval may have landed just before.
  awaitApproval.addCatch(checkApproval, { errors: [sfn.Errors.TIMEOUT], resultPath: RESULT_PATHS.decision });
  failTo(awaitApproval, approvalNotPosted, { id: 'RecordApprovalNotPosted', outcome: 'APPROVAL_NOT_POSTED' });

  // Grant: lock, ONTAP entry with exactly the approved values, GRANTED.
  const grant = invoke(
    'Grant',
    'grant-access',
    {
      requestId,
      start: sfn.JsonPath.stringAt(`${RESULT_PATHS.decision}.start`),
      sessionValiditySeconds: sfn.JsonPath.numberAt(`${RESULT_PATHS.validation}.sessionValiditySeconds`),
      // The completion that routed here: what the lock and the requester check may start on with the read.
      decision: sfn.JsonPath.objectAt(RESULT_PATHS.decision),
    },
    RESULT_PATHS.grant,
  );
  retryTransient(grant, [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS], { interval: 2, attempts: 4, maxDelay: 30 });
  closeWhenClosed(grant);
  failTo(grant, grantFailed, { id: 'RecordGrantFailure', outcome: 'GRANT_FAILED' });

  // AwaitEnd: waits out the window; completing its token early is "Revoke now".
  const awaitEnd = awaitToken('AwaitEnd', 'await-end', `${RESULT_PATHS.grant}.endTimeoutSeconds`, RESULT_PATHS.endWait);
  const revoke = invoke(
    'Revoke',
    'revoke-access',
    { requestId, wait: sfn.JsonPath.objectAt(RESULT_PATHS.endWait) },
    RESULT_PATHS.revoke,
  );
  retryTransient(revoke, TRANSIENT_ERRORS, { interval: 5, attempts: 8, maxDelay: 300 });
  // Woken before the end (the end moved: an extension): the next wait, from the record.
  // Caught before anything else, so it is never taken for a failed revoke.
  const planEndWait = invoke('PlanEndWait', 'await-end', { requestId, plan: true }, RESULT_PATHS.grant);
  retryTransient(planEndWait, TRANSIENT_ERRORS, quickRetry);
  closeWhenClosed(planEndWait);
  // Anything else going wrong while planning: the revoke, as when the wait itself fails.
  planEndWait.addCatch(revoke, { errors: [sfn.Errors.ALL], resultPath: RESULT_PATHS.endWait });
  revoke.addCatch(planEndWait, { errors: [WORKFLOW_ERRORS.grantNotOver], resultPath: RESULT_PATHS.endWait });
  planEndWait.next(awaitEnd);
  failTo(revoke, revokeFailed, { id: 'RecordRevokeFailure', outcome: 'REVOKE_FAILED' });
  // A contended or throttled table while keeping the token is tried again before giving up on the
  // wait (each try keeps a new token; the window restarts, and ONTAP's jit_validity still ends it on
  // time). The window ending (timeout) and anything else going wrong while waiting lead to the revoke.
  retryTransient(awaitEnd, TRANSIENT_ERRORS, { interval: 2, attempts: 4, maxDelay: 30 });
  awaitEnd.addCatch(revoke, { errors: [sfn.Errors.ALL], resultPath: RESULT_PATHS.endWait });

  const waitForStart = new sfn.Wait(s, 'WaitForStart', {
    time: sfn.WaitTime.timestampPath(`${RESULT_PATHS.decision}.startAt`),
  });
  const checkBeforeGrant = invoke(
    'CheckBeforeGrant',
    'check-approval',
    { requestId, phase: 'start' },
    RESULT_PATHS.decision,
  );
  retryTransient(checkBeforeGrant, [...TRANSIENT_ERRORS, ...SLACK_TRANSIENT_ERRORS], quickRetry);

  // Waiting again after a partial approval: for the wait CheckApproval worked out, not the first one.
  const renewApprovalWait = new sfn.Pass(s, 'RenewApprovalWait', {
    inputPath: `${RESULT_PATHS.decision}.approvalTimeoutSeconds`,
    resultPath: `${RESULT_PATHS.validation}.approvalTimeoutSeconds`,
  });

  const route = `${RESULT_PATHS.decision}.route`;
  const { and, isPresent, not, or, stringEquals } = sfn.Condition;
  // Straight to the grant: a check's GRANT, or an approval wait completed with the route the stored request
  // gives (domain/approval-route.ts), with its start. A Choice on a missing field fails the execution, so each
  // comparison waits for its field's IsPresent.
  const grantNow = and(isPresent(route), stringEquals(route, 'GRANT'), isPresent(`${RESULT_PATHS.decision}.start`));
  // Any other completion of the approval wait (it carries `decision`; an older one carries no route): checked.
  const waitEnded = or(isPresent(`${RESULT_PATHS.decision}.decision`), not(isPresent(route)));
  const routeDecision = new sfn.Choice(s, 'RouteDecision')
    .when(grantNow, grant.next(awaitEnd).next(revoke).next(ended))
    .when(waitEnded, checkApproval)
    .when(stringEquals(route, 'WAIT'), waitForStart.next(checkBeforeGrant))
    .when(stringEquals(route, 'AWAIT'), renewApprovalWait.next(awaitApproval))
    .when(stringEquals(route, 'DENIED'), denied)
    .when(stringEquals(route, 'CANCELLED'), cancelled)
    .when(stringEquals(route, 'EXPIRED'), approvalExpired)
    .otherwise(closed);
  checkApproval.next(routeDecision);
  checkBeforeGrant.next(routeDecision);

  const chain = sfn.Chain.start(validate).next(awaitApproval).next(routeDecision);
  return { chain, definitionBody: sfn.DefinitionBody.fromChainable(chain) };
}

/**
 * A state machine's definition string as CloudFormation sees it (an `Fn::Join` with the function
 * ARNs as `Fn::GetAtt`); `local/stepfunctions/local-definition.ts` turns it into plain ASL for the local runner.
 */
export function workflowAsl(stateMachine: sfn.StateMachine): unknown {
  const cfn = stateMachine.node.defaultChild as sfn.CfnStateMachine;
  return Stack.of(stateMachine).resolve(cfn.definitionString);
}
