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
  /** Calls to fail before they reach the runner, as a lost signal would. */
  readonly faults: SfnFaults;
  close(): Promise<void>;
}

/**
 * Fault injection for the API: the next `times` calls of an operation (or any call a chooser picks)
 * are answered 503 ServiceUnavailable without reaching the runner, so nothing happens.
 */
export class SfnFaults {
  private counts = new Map<string, number>();
  /** Picks calls to fail besides the counted ones (chaos tests set a seeded random chooser). */
  chooser: ((operation: string) => boolean) | undefined;
  /** Calls failed so far, by operation. */
  readonly injected = new Map<string, number>();

  /** Fails the next `times` calls of `operation`. */
  add(operation: string, times: number): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + times);
  }

  /** Forgets every pending fault and the chooser. */
  clear(): void {
    this.counts.clear();
    this.chooser = undefined;
  }

  /** Whether this call fails (and counts it). */
  take(operation: string): boolean {
    const left = this.counts.get(operation) ?? 0;
    const fail = left > 0 || (this.chooser?.(operation) ?? false);
    if (left > 0) this.counts.set(operation, left - 1);
    if (fail) this.injected.set(operation, (this.injected.get(operation) ?? 0) + 1);
    return fail;
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
    if (faults.take(operation)) return send(res, 503, { __type: 'ServiceUnavailable', message: 'Injected fault' });
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    try {
      return send(res, 200, op(body));
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
