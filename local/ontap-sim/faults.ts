/** Fault injection: make the next N calls matching a method and path pattern misbehave. */
import { z } from 'zod';
import { globToRegExp } from './query';

/** What a fault does to a matching call. */
export const FaultActionSchema = z.discriminatedUnion('type', [
  /** Answer with this status and an ONTAP error body (e.g. 500, 503, 429, or a 409 "temporarily locked"). */
  z.strictObject({
    type: z.literal('status'),
    status: z.number().int().min(400).max(599),
    code: z.string().optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  }),
  /** Answer with an arbitrary body, e.g. to test a client against malformed JSON. */
  z.strictObject({
    type: z.literal('raw'),
    status: z.number().int().min(100).max(599),
    body: z.string(),
    contentType: z.string().optional(),
  }),
  /** Never answer (the client's timeout must fire); `after` = do the work first, then hang. */
  z.strictObject({ type: z.literal('hang'), after: z.boolean().default(false) }),
  /** Destroy the connection; `after` = do the work first, so only the answer is lost. */
  z.strictObject({ type: z.literal('reset'), after: z.boolean().default(false) }),
  /** Delay the answer by `ms`, then answer normally. */
  z.strictObject({ type: z.literal('latency'), ms: z.number().int().min(0).max(600_000) }),
  /** Answer 202 with a job link; the job reports `running` for `polls` polls, then settles. */
  z.strictObject({
    type: z.literal('job'),
    outcome: z.enum(['success', 'failure']).default('success'),
    polls: z.number().int().min(0).default(1),
    code: z.number().int().optional(),
    message: z.string().optional(),
  }),
]);

/** A fault as given to `add` or `POST /__sim/faults`: a match, a count and an action. */
export const FaultSpecSchema = z.intersection(
  z.object({
    /** HTTP method to match (any when absent). */
    method: z.string().optional(),
    /** Path pattern (no query); `*` matches any run of characters, including `/`. */
    path: z.string().min(1),
    /** How many matching calls fail; default 1. */
    times: z.number().int().min(1).default(1),
  }),
  FaultActionSchema,
);

/** A fault as accepted (defaults unapplied). */
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
/** A validated fault. */
export type FaultSpec = z.output<typeof FaultSpecSchema>;
/** A fault's action. */
export type FaultAction = z.output<typeof FaultActionSchema>;

/** A fault still waiting for calls. */
export interface ActiveFault {
  id: number;
  spec: FaultSpec;
  remaining: number;
}

/** The simulator's list of pending faults; the first match wins and is used up one call at a time. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Adds a fault; returns its id. Throws a zod error for a malformed spec. */
  add(input: FaultSpecInput): number {
    const spec = FaultSpecSchema.parse(input);
    const id = this.nextId++;
    this.faults.push({ id, spec, remaining: spec.times });
    return id;
  }

  /** Removes every pending fault. */
  clear(): void {
    this.faults = [];
  }

  /** Pending faults, for `GET /__sim/faults`. */
  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Uses up one call of the first fault matching this call, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method.toUpperCase()) &&
        globToRegExp(f.spec.path).test(path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault.spec;
  }
}
