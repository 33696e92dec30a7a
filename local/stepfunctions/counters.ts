/**
 * What a local run did, counted: state transitions per execution, task invocations per function,
 * and DynamoDB reads and writes (in total, and per execution when a task made them). The
 * benchmarks read these to report "state transitions and DynamoDB writes per lifecycle".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Which execution and state a piece of work runs for (set around every task the runner invokes). */
export interface InvocationContext {
  readonly executionArn: string;
  readonly stateName: string;
  readonly functionName: string;
}

/** The task invocation in progress, if any; DynamoDB calls made inside a task are attributed to its execution. */
export const invocationContext = new AsyncLocalStorage<InvocationContext>();

/** DynamoDB operation counts. */
export interface DynamoCounts {
  reads: number;
  writes: number;
  byOperation: Record<string, number>;
}

/** Counts of one execution. */
export interface ExecutionCounts {
  /** States entered plus retries: what AWS bills as state transitions for a Standard workflow. */
  stateTransitions: number;
  /** Times each state was entered. */
  statesEntered: Record<string, number>;
  /** Retries (each also a state transition). */
  retries: number;
  /** Task function invocations, by function. */
  taskInvocations: Record<string, number>;
  /** DynamoDB calls made by this execution's tasks. */
  dynamo: DynamoCounts;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

function emptyDynamo(): DynamoCounts {
  return { reads: 0, writes: 0, byOperation: {} };
}

/** Empty counts for a new execution. */
export function emptyExecutionCounts(): ExecutionCounts {
  return { stateTransitions: 0, statesEntered: {}, retries: 0, taskInvocations: {}, dynamo: emptyDynamo() };
}

/** The counters of a local run. */
export class RunCounters {
  /** Per execution ARN. */
  readonly executions = new Map<string, ExecutionCounts>();
  /** Task invocations of every execution, by function. */
  readonly taskInvocations: Record<string, number> = {};
  /** Every DynamoDB call made through a counted client, wherever it came from. */
  readonly dynamo: DynamoCounts = emptyDynamo();

  /** The counts of one execution (created on first use). */
  execution(arn: string): ExecutionCounts {
    let counts = this.executions.get(arn);
    if (!counts) {
      counts = emptyExecutionCounts();
      this.executions.set(arn, counts);
    }
    return counts;
  }

  /** Records one state entered. */
  stateEntered(arn: string, state: string): void {
    const counts = this.execution(arn);
    counts.stateTransitions += 1;
    counts.statesEntered[state] = (counts.statesEntered[state] ?? 0) + 1;
  }

  /** Records one retry. */
  stateRetried(arn: string): void {
    const counts = this.execution(arn);
    counts.stateTransitions += 1;
    counts.retries += 1;
  }

  /** Records one task function invocation. */
  taskInvoked(arn: string, functionName: string): void {
    bump(this.taskInvocations, functionName);
    bump(this.execution(arn).taskInvocations, functionName);
  }

  /** Records one DynamoDB operation (attributed to the task in progress, if any). */
  dynamoCall(operation: string): void {
    const targets = [this.dynamo];
    const context = invocationContext.getStore();
    if (context) targets.push(this.execution(context.executionArn).dynamo);
    for (const counts of targets) {
      if (READS.has(operation)) counts.reads += 1;
      if (WRITES.has(operation)) counts.writes += 1;
      bump(counts.byOperation, operation);
    }
  }

  /**
   * Counts every operation `client` sends from now on (an SDK middleware; counts calls, not
   * capacity units, since the embedded DynamoDB reports none). Returns a function that stops it.
   */
  countDynamo(client: DynamoDBClient): () => void {
    const name = `count-dynamodb-calls-${Math.random().toString(36).slice(2)}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.dynamoCall(String(context.commandName ?? 'Unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name },
    );
    return () => {
      client.middlewareStack.remove(name);
    };
  }
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
