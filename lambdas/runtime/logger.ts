/**
 * Structured JSON logs, one object per line, with the request id on every line of a task. Values
 * under keys that look like secrets or task tokens are replaced before anything is written.
 */

import { METRIC_NAMESPACE, metricFields } from './metrics';

/** The CloudWatch namespace the product's metrics go to (lambdas/runtime/metrics.ts; the alarms watch it). */
export { METRIC_NAMESPACE };

/** Log levels, in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /token|secret|password|authorization|credential|signature/i;

/** Where log lines go; a test can collect them. */
export type LogSink = (line: string) => void;

/** A logger bound to some fields (e.g. the request id) that it writes on every line. */
export class Logger {
  constructor(
    private readonly fields: Readonly<Record<string, unknown>> = {},
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** A logger that also writes `fields` on every line. */
  child(fields: Record<string, unknown>): Logger {
    return new Logger({ ...this.fields, ...fields }, this.level, this.sink);
  }

  /** Logs at debug level. */
  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  /** Logs at info level. */
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  /** Logs at warn level. */
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  /** Logs at error level. */
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  /** Publishes a count metric in CloudWatch's embedded metric format (one JSON line, the bound fields included). */
  metric(name: string, value: number): void {
    const line = metricFields(name, value, this.fields);
    this.sink(JSON.stringify(redact(line)));
  }

  private write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const line = { level, time: new Date().toISOString(), message, ...this.fields, ...fields };
    this.sink(JSON.stringify(redact(line)));
  }
}

/** The error fields worth logging: name, message and the cause's name; never a stack full of payloads. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  return { error: error.name, errorMessage: error.message, ...cause };
}

/** A copy of `value` with every secret-looking key's value replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== undefined ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

/** Reads a log level name, defaulting to info. */
export function parseLogLevel(text: string | undefined): LogLevel {
  return text === 'debug' || text === 'info' || text === 'warn' || text === 'error' ? text : 'info';
}
