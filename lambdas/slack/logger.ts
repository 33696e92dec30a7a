/** A structured JSON logger that Bolt and the Web API client accept (their `Logger` interface). */
import { type Logger, LogLevel } from '@slack/web-api';

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

/** One JSON line per entry: level, logger name, then the fields of object arguments and `msg` for the rest. */
export function createJsonLogger(
  options: { name?: string; level?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  let level = options.level ?? LogLevel.INFO;
  let name = options.name ?? 'slack';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log =
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
      if (words.length > 0)
        fields.msg = fields.msg === undefined ? words.join(' ') : `${String(fields.msg)} ${words.join(' ')}`;
      write(JSON.stringify({ level: at, logger: name, ...fields }));
    };
  return {
    debug: log(LogLevel.DEBUG),
    info: log(LogLevel.INFO),
    warn: log(LogLevel.WARN),
    error: log(LogLevel.ERROR),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next) => {
      name = next;
    },
  };
}
