/**
 * The product's logger and metrics writing to a function instead of stdout: the local stack hands
 * its lines to whoever started it (`--verbose` prints them), and the tests read them. Same options,
 * redaction and line format as in AWS (lambdas/runtime/logger.ts).
 */

import type { LogItem } from '@aws-lambda-powertools/logger';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type LogLevel, loggerOptions, metricsOptions } from '../lambdas/runtime/logger';

/** Where log and metric lines go: one JSON object per call. */
export type LineSink = (line: string) => void;

class SinkLogger extends Logger {
  readonly #sink: LineSink;

  constructor(sink: LineSink, options: ConstructorOptions) {
    super(options);
    this.#sink = sink;
  }

  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    this.#sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  // Children (createChild) write to the same sink.
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new SinkLogger(this.#sink, options ?? {});
  }
}

class SinkMetrics extends Metrics {
  readonly #sink: LineSink;

  constructor(sink: LineSink, serviceName: string) {
    super(metricsOptions(serviceName));
    this.#sink = sink;
    this.clearDefaultDimensions();
  }

  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) this.#sink(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/** The product's logger for `serviceName`, writing its lines to `sink`. */
export function sinkLogger(sink: LineSink, serviceName: string, level: LogLevel = 'info'): Logger {
  return new SinkLogger(sink, loggerOptions(serviceName, level));
}

/** The product's metrics for `serviceName`, writing each published EMF line to `sink`. */
export function sinkMetrics(sink: LineSink, serviceName: string): Metrics {
  return new SinkMetrics(sink, serviceName);
}
