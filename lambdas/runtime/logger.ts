/**
 * Logs and metrics, by Powertools for AWS Lambda: structured JSON lines with the Lambda request id
 * (once the handler adds its context) and the keys a child was made with; count metrics as
 * CloudWatch EMF lines. Values under keys that look like secrets or task tokens are replaced before
 * anything is written.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, UNRESOLVED_USER_GROUP_METRIC } from './metrics';

/** The product's logger: Powertools' Logger (`createChild({ persistentKeys })` binds keys to every line). */
export type Logger = PowertoolsLogger;

/** The product's metrics: Powertools' Metrics, published with `publishMetrics`. */
export type { Metrics };

/** Log levels the product accepts in JIT_LOG_LEVEL. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SECRET_KEY = /token|secret|password|authorization|credential|signature/i;

/** A JSON replacer that writes `[redacted]` for the value of every secret-looking key, at any depth. */
export function redactSecrets(key: string, value: unknown): unknown {
  return key !== '' && SECRET_KEY.test(key) && value !== undefined ? '[redacted]' : value;
}

/** Reads a log level name (JIT_LOG_LEVEL), or undefined for none or an unknown name. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const level = text?.trim().toLowerCase();
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : undefined;
}

/**
 * The options every product logger is made with: the service name, the redaction, and the level
 * (`level`, else JIT_LOG_LEVEL; without either Powertools reads POWERTOOLS_LOG_LEVEL, default INFO).
 */
export function loggerOptions(serviceName: string, level?: LogLevel): ConstructorOptions {
  const logLevel = level ?? parseLogLevel(process.env.JIT_LOG_LEVEL);
  return { serviceName, jsonReplacerFn: redactSecrets, ...(logLevel ? { logLevel } : {}) };
}

/** A logger writing JSON lines to stdout, where Lambda sends them to CloudWatch Logs. */
export function createLogger(serviceName: string, level?: LogLevel): Logger {
  return new PowertoolsLogger(loggerOptions(serviceName, level));
}

/** The options of the product's metrics: its namespace (the alarms in lib/constructs watch it). */
export function metricsOptions(serviceName: string): { namespace: string; serviceName: string } {
  return { namespace: METRIC_NAMESPACE, serviceName };
}

/**
 * Metrics for the product's namespace, without dimensions: the alarms watch each metric by name
 * alone, so the `service` dimension Powertools adds by default is dropped.
 */
export function createMetrics(serviceName: string): Metrics {
  const metrics = new Metrics(metricsOptions(serviceName));
  metrics.clearDefaultDimensions();
  return metrics;
}

/** Adds `value` to the count metric `name`; it goes out with the next `publishMetrics`. */
export function countMetric(metrics: Metrics, name: string, value: number): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Writes the metrics stored so far as one EMF line (nothing when none were added), and clears them. */
export function publishMetrics(metrics: Metrics): void {
  if (!metrics.hasStoredMetrics()) return;
  // One empty dimension set: the metric by name alone (EMF `Dimensions: [[]]`), which is what the alarms watch.
  metrics.addDimensions({});
  metrics.publishStoredMetrics();
}

/** How a user group Slack could not resolve is reported: a warning, and the metric at once. */
export function reportUnresolvedGroup(logger: Logger, metrics: Metrics): (group: string, problem: string) => void {
  return (group, problem) => {
    logger.warn('user group not resolved; skipped', { group, problem });
    countMetric(metrics, UNRESOLVED_USER_GROUP_METRIC, 1);
    publishMetrics(metrics);
  };
}

/** The error fields worth logging: name, message and the cause's name; never a stack full of payloads. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  return { error: error.name, errorMessage: error.message, ...cause };
}
