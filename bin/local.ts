/**
 * `npm start`: the whole product on this machine. `--speed N` makes business time run N times faster;
 * `--port P` moves the app; `--latency aws` makes every dependency answer as slowly as it does in AWS.
 */
import { parseArgs } from 'node:util';
import { latencyProfile } from '../local/latency-profile';
import { startLocalStack } from '../local/stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      speed: { type: 'string', default: process.env.JIT_SPEED ?? '1' },
      port: { type: 'string', default: process.env.JIT_PORT ?? '3000' },
      config: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      latency: { type: 'string', default: process.env.JIT_LATENCY ?? 'none' },
    },
  });
  const stack = await startLocalStack({
    speed: Number(values.speed),
    port: Number(values.port),
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.latency !== 'none' ? { latency: latencyProfile(values.latency) } : {}),
    ...(values.verbose ? { log: (line: string) => process.stdout.write(`${line}\n`), logLevel: 'debug' as const } : {}),
  });
  const { urls } = stack;
  const lines = [
    `ontap-jit-approvals local stack${stack.speed > 1 ? ` (time runs ${stack.speed}x faster)` : ''}`,
    ...(urls.sandbox ? [`  Slack sandbox     ${urls.sandbox}`] : []),
    `  Slack endpoint    ${urls.slackEvents}`,
    `  Slack Web API     ${urls.slackApi}${stack.slack ? ' (stand-in)' : ''}`,
    `  Step Functions    ${urls.stepFunctions}`,
    `  DynamoDB          ${urls.dynamodb}`,
    `  Audit archive     ${urls.s3} (S3 stand-in, bucket ${urls.archiveBucket})`,
    ...(urls.secretsManager ? [`  Secrets Manager   ${urls.secretsManager} (stand-in)`] : []),
    ...(stack.latency
      ? [
          `  Latency profile   ${stack.latency.name}: ${Object.entries(stack.latency.ms)
            .map(([s, ms]) => `${s} ${ms} ms`)
            .join(', ')}`,
        ]
      : []),
    ...Object.entries(urls.ontap).map(
      ([name, url]) => `  ONTAP ${name.padEnd(11)} ${url}${stack.simulator?.url === url ? ' (simulator)' : ''}`,
    ),
    `ready: open ${urls.sandbox ?? urls.slackEvents}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping\n');
    stack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
