/**
 * The AWS bill of one approved lifecycle, from counts measured on the local stack and published
 * us-east-1 list prices. Nothing here is estimated by hand but the prices themselves; free tiers,
 * storage, logs, X-Ray and the overdue sweep (a fixed schedule, every 5 minutes) are left out: they
 * do not scale with requests.
 */
import type { LifecycleCounts } from './sections/lifecycle-cost';
import { round } from './stats';

/** Published on-demand list prices, US East (N. Virginia). */
export const PRICES = {
  region: 'us-east-1',
  /** When they were taken from the AWS pricing pages (not fetched by the benchmark: it runs offline). */
  asOf: '2026-11-22',
  sources: [
    'https://aws.amazon.com/step-functions/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
  ],
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stateTransition: 0.025 / 1000,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64: $0.0000133334 per GB-second (first 7.5 billion GB-s a month). */
  lambdaGbSecondArm: 0.0000133334,
  /** DynamoDB on-demand, standard table class: $0.625 per million write request units. */
  writeRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand: $0.125 per million read request units. */
  readRequestUnit: 0.125 / 1e6,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month, up to 512 KB each). */
  httpApiRequest: 1.0 / 1e6,
  /** Secrets Manager: $0.05 per 10,000 API calls. */
  secretsManagerCall: 0.05 / 10_000,
} as const;

/** Memory each function is configured with: the Slack endpoint 1024 MB (lib/app-stack.ts), the others the 256 MB default (lib/constructs/jit-function.ts). */
export const MEMORY_MB = { ingress: 1024, tasks: 256 } as const;

/** One line of the bill. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usdPerLifecycle: number;
  readonly usdPer1000: number;
}

/** The bill of one lifecycle, and of a thousand. */
export interface LifecycleCost {
  readonly prices: typeof PRICES;
  readonly memoryMb: typeof MEMORY_MB;
  readonly lines: CostLine[];
  readonly usdPer1000: number;
  /** Secrets Manager calls if every function invocation were a cold start (the cache never helps). */
  readonly secretCallsWorstCase: number;
  readonly usdPer1000WorstCaseSecrets: number;
}

/** Secrets each function reads once per container: the Slack bot token, plus the cluster's credentials where ONTAP is called. */
const SECRETS_PER_FUNCTION: Record<string, number> = {
  'validate-request': 2,
  'grant-access': 2,
  'revoke-access': 2,
  'await-approval': 1,
  'check-approval': 1,
  'await-end': 1,
  'record-outcome': 2,
  'slack-ingress': 2,
};

/** Prices one lifecycle's measured counts. */
export function priceLifecycle(counts: LifecycleCounts): LifecycleCost {
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const taskSeconds = Object.entries(counts.taskInvocationsByFunction).reduce(
    (s, [fn, n]) => s + (n * Math.ceil(counts.taskMsByFunction[fn] ?? 0)) / 1000,
    0,
  );
  const ingressSeconds =
    (Math.ceil(counts.ingressMs.open.mean) +
      Math.ceil(counts.ingressMs.submit.mean) +
      Math.ceil(counts.ingressMs.approve.mean)) /
    1000;
  const invocations = counts.taskInvocations + counts.ingressRequests;
  const gbSeconds = taskSeconds * (MEMORY_MB.tasks / 1024) + ingressSeconds * (MEMORY_MB.ingress / 1024);
  const line = (item: string, quantity: number, unit: string, price: number): CostLine => ({
    item,
    quantity: round(quantity, 4),
    unit,
    usdPerLifecycle: quantity * price,
    usdPer1000: round(quantity * price * 1000, 6),
  });
  const lines = [
    line('Step Functions Standard state transitions', counts.stateTransitions, 'transitions', PRICES.stateTransition),
    line('Lambda requests (workflow tasks + Slack ingress)', invocations, 'requests', PRICES.lambdaRequest),
    line(
      `Lambda duration, arm64 (tasks ${MEMORY_MB.tasks} MB, Slack endpoint ${MEMORY_MB.ingress} MB; durations measured here, rounded up per invocation)`,
      gbSeconds,
      'GB-seconds',
      PRICES.lambdaGbSecondArm,
    ),
    line(
      'DynamoDB on-demand write request units (table + indexes)',
      counts.writeRequestUnits,
      'WRU',
      PRICES.writeRequestUnit,
    ),
    line('DynamoDB on-demand read request units', counts.readRequestUnits, 'RRU', PRICES.readRequestUnit),
    line('API Gateway HTTP API requests (Slack ingress)', counts.ingressRequests, 'requests', PRICES.httpApiRequest),
    line('Secrets Manager calls (cached per container; warm)', 0, 'calls', PRICES.secretsManagerCall),
  ];
  const secretCallsWorstCase =
    counts.ingressRequests * (SECRETS_PER_FUNCTION['slack-ingress'] ?? 0) +
    Object.entries(counts.taskInvocationsByFunction).reduce((s, [fn, n]) => s + n * (SECRETS_PER_FUNCTION[fn] ?? 1), 0);
  const usdPer1000 = round(lines.reduce((s, l) => s + l.usdPerLifecycle, 0) * 1000, 6);
  return {
    prices: PRICES,
    memoryMb: MEMORY_MB,
    lines,
    usdPer1000,
    secretCallsWorstCase: round(secretCallsWorstCase, 2),
    usdPer1000WorstCaseSecrets: round(usdPer1000 + secretCallsWorstCase * PRICES.secretsManagerCall * 1000, 6),
  };
}
