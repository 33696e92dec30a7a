/** The product's calls into Step Functions: start a request's workflow and resume its waits. */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { ApprovalCompletion } from '../domain/approval-route';
import { WorkflowCallError } from './errors';

/**
 * How an approval wait ends: the decision, and for an approval to grant now its route and start (the
 * workflow then goes straight to the grant, which reads the request again; otherwise it re-reads first).
 */
export type ApprovalOutcome = ApprovalCompletion;

/** Options of the workflow client. */
export interface WorkflowClientOptions {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
}

/** Starts and resumes request workflows. */
export class WorkflowClient {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: WorkflowClientOptions) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  /**
   * Starts the workflow of a request. The execution is named after the request, so a second start
   * (a retried submit) cannot run a second workflow; it reports `alreadyStarted` instead.
   */
  async start(requestId: string): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: requestId,
          input: JSON.stringify({ requestId }),
        }),
      );
      if (!out.executionArn) throw new WorkflowCallError('StartExecution returned no execution ARN');
      return { executionArn: out.executionArn, alreadyStarted: false };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return { executionArn: executionArnFor(this.stateMachineArn, requestId), alreadyStarted: true };
      }
      if (error instanceof WorkflowCallError) throw error;
      throw new WorkflowCallError('StartExecution', { cause: error });
    }
  }

  /** Ends the approval wait. False when the token is stale (the workflow already moved on). */
  async resumeApproval(taskToken: string, outcome: ApprovalOutcome): Promise<boolean> {
    return this.succeed(taskToken, outcome);
  }

  /** Ends the grant's wait now ("Revoke now"). False when the token is stale. */
  async endNow(taskToken: string): Promise<boolean> {
    return this.succeed(taskToken, { reason: 'REVOKE_NOW' });
  }

  /** The ARN the request's execution has (or would have): executions are named after their request. */
  executionArnOf(requestId: string): string {
    return executionArnFor(this.stateMachineArn, requestId);
  }

  /** Wakes the grant's wait because its end moved (an extension to apply). False when the token is stale. */
  async endsChanged(taskToken: string): Promise<boolean> {
    return this.succeed(taskToken, { reason: 'ENDS_CHANGED' });
  }

  /** Whether the request's execution is still running; `GONE` when it stopped or never existed. */
  async executionState(requestId: string): Promise<'RUNNING' | 'GONE'> {
    try {
      const executionArn = executionArnFor(this.stateMachineArn, requestId);
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE' ? 'RUNNING' : 'GONE';
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return 'GONE';
      throw new WorkflowCallError('DescribeExecution', { cause: error });
    }
  }

  /**
   * Completes a wait. True when the wait took the signal; false when its token was stale. A token found
   * closed by the SDK's retry counts as taken: the try before it failed without saying whether it was
   * served (no answer, a server error), and by all odds it reached the wait and closed it. A wait closing
   * on its own in that moment is the rare case, and the record still says what happens next: the
   * workflow reads it, and the reconciler sends a signal again.
   */
  private async succeed(taskToken: string, output: object): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut)
        return (error.$metadata.attempts ?? 1) > 1;
      if (error instanceof InvalidToken) return false;
      throw new WorkflowCallError('SendTaskSuccess', { cause: error });
    }
  }
}

/** The ARN an execution of `stateMachineArn` named `name` has. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
