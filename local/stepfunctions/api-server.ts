/**
 * The Step Functions API calls the product makes, served on loopback in the AWS JSON 1.0 protocol
 * (`POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`, `application/x-amz-json-1.0`), so
 * @aws-sdk/client-sfn talks to the local runner with nothing but an `endpoint` setting.
 * Requests are not signature-checked: it listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SfnApiError } from './errors';
import type { ExecutionDescription, LocalStepFunctions } from './runner';

/** A running local Step Functions API. */
export interface StepFunctionsApi {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  readonly url: string;
  /** Calls to fail before they reach the runner (a lost signal), or to serve and lose the answer of. */
  readonly faults: SfnFaults;
  close(): Promise<void>;
}

/**
 * Fault injection for the API: the next `times` calls of an operation (or any call a chooser picks)
 * are answered 503 ServiceUnavailable without reaching the runner, so nothing happens; or served by
 * the runner with their answer lost (the connection closes: the caller cannot tell it happened); or
 * held before they are served (a late call).
 */
export class SfnFaults {
  private counts = new Map<string, number>();
  private lostAnswers = new Map<string, number>();
  /** Picks calls to fail besides the counted ones (chaos tests set a seeded random chooser). */
  chooser: ((operation: string) => boolean) | undefined;
  /** Holds a call until the promise it returns settles; undefined serves it at once. */
  holder: ((operation: string) => Promise<void> | undefined) | undefined;
  /** Calls failed so far, by operation; a served call whose answer was lost counts as `<operation> answer lost`. */
  readonly injected = new Map<string, number>();

  /** Fails the next `times` calls of `operation`. */
  add(operation: string, times: number): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + times);
  }

  /** Serves the next `times` calls of `operation` and loses their answers. */
  loseAnswers(operation: string, times: number): void {
    this.lostAnswers.set(operation, (this.lostAnswers.get(operation) ?? 0) + times);
  }

  /** Forgets every pending fault, the chooser and the holder. */
  clear(): void {
    this.counts.clear();
    this.lostAnswers.clear();
    this.chooser = undefined;
    this.holder = undefined;
  }

  /** Whether this call fails (and counts it). */
  take(operation: string): boolean {
    const fail = this.taken(this.counts, operation) || (this.chooser?.(operation) ?? false);
    if (fail) this.count(operation);
    return fail;
  }

  /** Whether this call's answer is to be lost once it is served (and counts it). */
  takeAnswer(operation: string): boolean {
    const lose = this.taken(this.lostAnswers, operation);
    if (lose) this.count(`${operation} answer lost`);
    return lose;
  }

  private taken(counts: Map<string, number>, operation: string): boolean {
    const left = counts.get(operation) ?? 0;
    if (left > 0) counts.set(operation, left - 1);
    return left > 0;
  }

  private count(key: string): void {
    this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
  }
}

const StartSchema = z.object({
  stateMachineArn: z.string(),
  name: z.string().optional(),
  input: z.string().optional(),
});
const SuccessSchema = z.object({ taskToken: z.string().min(1), output: z.string() });
const FailureSchema = z.object({
  taskToken: z.string().min(1),
  error: z.string().optional(),
  cause: z.string().optional(),
});
const StopSchema = z.object({ executionArn: z.string(), error: z.string().optional(), cause: z.string().optional() });
const DescribeSchema = z.object({ executionArn: z.string() });

/** JSON protocol timestamps are epoch seconds. */
const seconds = (date: Date): number => date.getTime() / 1000;

function describe(d: ExecutionDescription): Record<string, unknown> {
  return {
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    name: d.name,
    status: d.status,
    startDate: seconds(d.startDate),
    input: d.input,
    ...(d.stopDate ? { stopDate: seconds(d.stopDate) } : {}),
    ...(d.output !== undefined ? { output: d.output } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
  };
}

/** The operations served, each parsing its input. */
function operations(sfn: LocalStepFunctions): Record<string, (body: unknown) => Record<string, unknown>> {
  return {
    StartExecution: (body) => {
      const { executionArn, startDate } = sfn.startExecution(StartSchema.parse(body));
      return { executionArn, startDate: seconds(startDate) };
    },
    SendTaskSuccess: (body) => {
      sfn.sendTaskSuccess(SuccessSchema.parse(body));
      return {};
    },
    SendTaskFailure: (body) => {
      sfn.sendTaskFailure(FailureSchema.parse(body));
      return {};
    },
    SendTaskHeartbeat: () => ({}),
    StopExecution: (body) => ({ stopDate: seconds(sfn.stopExecution(StopSchema.parse(body)).stopDate) }),
    DescribeExecution: (body) => describe(sfn.describeExecution(DescribeSchema.parse(body))),
  };
}

/** Where and how the API is served. */
export interface StepFunctionsApiOptions {
  readonly port?: number;
  readonly host?: string;
  /** Runs as each call arrives (its operation, `StartExecution`…), before it is served: a latency profile's delay. */
  readonly beforeCall?: (operation: string) => Promise<void> | void;
}

/** Serves `sfn` on loopback (port 0 = any free port). */
export async function startStepFunctionsApi(
  sfn: LocalStepFunctions,
  options: StepFunctionsApiOptions = {},
): Promise<StepFunctionsApi> {
  const ops = operations(sfn);
  const faults = new SfnFaults();
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) =>
      send(res, 500, { __type: 'InternalFailure', message: String(error) }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const op = ops[operation];
    await options.beforeCall?.(operation || target);
    if (req.method !== 'POST' || !op)
      return send(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
    const held = faults.holder?.(operation);
    if (held) await held;
    if (faults.take(operation)) return send(res, 503, { __type: 'ServiceUnavailable', message: 'Injected fault' });
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    try {
      const answer = op(body);
      if (faults.takeAnswer(operation)) return void res.destroy();
      return send(res, 200, answer);
    } catch (error) {
      if (error instanceof SfnApiError) return send(res, 400, { __type: error.code, message: error.message });
      if (error instanceof z.ZodError)
        return send(res, 400, { __type: 'ValidationException', message: error.issues[0]?.message ?? 'invalid' });
      throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    ...(status >= 400 ? { 'x-amzn-errortype': String((body as { __type?: string }).__type) } : {}),
  });
  res.end(JSON.stringify(body));
}
