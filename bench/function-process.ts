/**
 * A function's fresh process, started the way the Lambda runtime starts one: the bundle loaded by a
 * new Node process whose environment points at the benchmark's local stack. The cold-start section
 * and the AWS-like acknowledgement section both measure from such processes.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Bundle } from './bundle';
import type { BenchStack } from './local';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

/**
 * A child script's `loadHandler(file)`: the module's exports, loaded as Lambda's runtime loads a handler
 * file (an ES module `.mjs` by `import()`, a CommonJS one by `require`).
 */
export const LOAD_HANDLER = `
const loadHandler = (file) =>
  file.endsWith('.mjs') ? import(require('node:url').pathToFileURL(file).href) : Promise.resolve(require(file));
`;

/** The line a child script prints its result on, as JSON after this prefix. */
export const RESULT_PREFIX = '@@bench ';

/** The environment every function of the stack starts with, plus `extra` (the function's own settings). */
export function functionEnv(b: BenchStack, bun: Bundle, extra: Record<string, string>): Record<string, string> {
  const { stack, simulator } = b;
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    JIT_TABLE_NAME: 'ontap-jit-requests',
    JIT_LOG_LEVEL: 'error',
    DYNAMODB_ENDPOINT: stack.urls.dynamodb,
    SFN_ENDPOINT: stack.urls.stepFunctions,
    STATE_MACHINE_ARN: stack.workflow.stateMachineArn,
    SLACK_API_URL: stack.urls.slackApi,
    // No JIT_CONFIG: the configuration compiled into the bundle names the simulator as the cluster's endpoint.
    ONTAP_CLUSTER1_USERNAME: simulator.credentials.username,
    ONTAP_CLUSTER1_PASSWORD: simulator.credentials.password,
    // Lambda's runtime finds the AWS SDK it ships through NODE_PATH; so does a bundle that leaves the SDK out.
    ...(bun.external.some((e) => e.startsWith('@aws-sdk')) ? { NODE_PATH: join(ROOT, 'node_modules') } : {}),
    BENCH_BUNDLE: bun.file,
    ...extra,
  };
}

/** Runs `script` (`node -e`) with `env`; the JSON it printed after RESULT_PREFIX, or undefined when it printed none. */
export async function runFunctionProcess(script: string, env: Record<string, string>): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['-e', script], { env, maxBuffer: 16 * 2 ** 20 });
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  return line === undefined ? undefined : JSON.parse(line.slice(RESULT_PREFIX.length));
}
