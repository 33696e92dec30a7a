/** Bolt's and the Web API client's logger (their `Logger` interface), written by the product's Powertools logger. */
import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../runtime/logger';

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

/**
 * A Slack logger over `log`: object arguments become fields, the rest the message, and the Slack
 * logger's name (`web-api:WebClient:0`, `bolt-app`) goes on every line as `logger`. `setLevel`
 * filters these lines only (the Web API client sets INFO on any logger it is given); the product's
 * level still applies on top.
 */
export function boltLogger(log: Logger, name = 'slack'): SlackLogger {
  let level = LogLevel.DEBUG;
  let current = name;
  const write =
    (at: LogLevel) =>
    (...args: unknown[]): void => {
      if (ORDER.indexOf(at) < ORDER.indexOf(level)) return;
      const fields: Record<string, unknown> = {};
      const words: string[] = [];
      for (const arg of args) {
        if (arg instanceof Error) words.push(`${arg.name}: ${arg.message}`);
        else if (typeof arg === 'object' && arg !== null) Object.assign(fields, arg);
        else words.push(String(arg));
      }
      const { msg, ...rest } = fields;
      const message = [...(msg === undefined ? [] : [String(msg)]), ...words].join(' ');
      log[at](message, { logger: current, ...rest });
    };
  return {
    debug: write(LogLevel.DEBUG),
    info: write(LogLevel.INFO),
    warn: write(LogLevel.WARN),
    error: write(LogLevel.ERROR),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next) => {
      current = next;
    },
  };
}
