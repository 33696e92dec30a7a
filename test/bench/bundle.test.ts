/**
 * What is in a function's bundle, and why, from esbuild's metafile: the benchmark bundles as the stack
 * does (lib/bundling.ts), so these are the stack's bundles' contents.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Metafile } from 'esbuild';
import { type Bundle, bundle, packageOf } from '../../bench/bundle';
import { BASELINE, type ColdStartRow, measureBundles } from '../../bench/cold-start';
import { ACK_KINDS } from '../../bench/sections/ack';
import { type AckAwsResult, measureAckAws } from '../../bench/sections/ack-aws';
import { compileConfig } from '../../lambdas/config/compile';
import { NEVER_RUN, SPLIT_FUNCTIONS } from '../../lib/bundling';
import { EXAMPLE_CONFIG_TEXT, ROOT } from '../support/cdk';

const { json } = compileConfig(EXAMPLE_CONFIG_TEXT);
const bundles: Record<string, { bundle: Bundle; inputs: string[] }> = {};

/** All the code a bundle ships: its entry and, when split at its dynamic imports, its chunks (maps apart). */
function codeOf(name: string): string {
  const dir = dirname(bundles[name]?.bundle.file ?? '');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?js$/.test(f));
  return files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

beforeAll(async () => {
  for (const name of ['slack-ingress', 'grant-access']) {
    const b = await bundle(name, join(ROOT, 'lambdas/handlers', `${name}.ts`), { configJson: json });
    const meta = JSON.parse(readFileSync(join(dirname(b.file), 'meta.json'), 'utf8')) as Metafile;
    bundles[name] = { bundle: b, inputs: Object.keys(meta.inputs) };
  }
}, 60_000);

describe.each(['slack-ingress', 'grant-access'])('the %s bundle', (name) => {
  it("holds zod's English locale alone", () => {
    const locales = bundles[name]?.inputs.filter((i) => /zod\/v4\/locales\/(?!index)/.test(i)) ?? [];
    expect(locales.map((l) => l.replace(/.*\//, ''))).toEqual(['en.js']);
  });

  it('holds no YAML parser, and the configuration as JSON', () => {
    const found = bundles[name];
    expect(found?.bundle.packages.map(([p]) => p)).not.toContain('yaml');
    expect(found?.inputs.some((i) => i.includes('node_modules/yaml/'))).toBe(false);
    expect(found?.bundle.external).toEqual(['yaml']);
    expect(codeOf(name)).toContain('"approvalChannel":"C0APPROVALS"');
  });
});

it('the task bundle holds no Slack app framework: each function carries what it imports', () => {
  const packages = bundles['grant-access']?.bundle.packages.map(([p]) => p) ?? [];
  expect(packages).not.toContain('@slack/bolt');
  expect(bundles['slack-ingress']?.bundle.packages.map(([p]) => p)).toContain('@slack/bolt');
});

it("takes the AWS SDK's ES module build, so a function carries the DynamoDB commands it sends, not all of them", () => {
  const file = bundles['grant-access']?.bundle.file ?? '';
  const meta = JSON.parse(readFileSync(join(dirname(file), 'meta.json'), 'utf8')) as Metafile;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
  // What is really in the bundle: esbuild lists every module it read, and gives 0 bytes to those it dropped.
  const carried = Object.entries(output?.inputs ?? {})
    .filter(([input, { bytesInOutput }]) => input.includes('@aws-sdk/client-dynamodb/') && bytesInOutput > 0)
    .map(([input]) => input);
  expect(carried.some((i) => i.endsWith('/dist-es/commands/GetItemCommand.js'))).toBe(true);
  expect(carried.some((i) => i.includes('/dist-cjs/'))).toBe(false);
  // The store never backs up or restores the table: those commands stay out.
  expect(carried.some((i) => /\/(CreateBackupCommand|RestoreTableFromBackupCommand)\.js$/.test(i))).toBe(false);
});

describe('the Slack endpoint is split at its dynamic imports; each task is one CommonJS file', () => {
  /** The bundle's metafile, and the output files the entry loads at init (its static imports, followed through). */
  function loadedAtInit(name: string): { meta: Metafile; atInit: Set<string> } {
    const file = bundles[name]?.bundle.file ?? '';
    const meta = JSON.parse(readFileSync(join(dirname(file), 'meta.json'), 'utf8')) as Metafile;
    const entry = Object.keys(meta.outputs).find((o) => o.endsWith(`/${basename(file)}`)) ?? '';
    const atInit = new Set<string>();
    const visit = (output: string): void => {
      if (atInit.has(output)) return;
      atInit.add(output);
      for (const i of meta.outputs[output]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
    };
    visit(entry);
    return { meta, atInit };
  }

  /** The packages whose code is in `outputs`. */
  const packagesIn = (meta: Metafile, outputs: Iterable<string>): Set<string> =>
    new Set(
      [...outputs].flatMap((o) =>
        Object.entries(meta.outputs[o]?.inputs ?? {})
          .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
          .map(([input]) => packageOf(input)),
      ),
    );

  it("loads no AWS SDK client at the Slack endpoint's init: /jit calls none (they are in chunks loaded on first use)", () => {
    const { meta, atInit } = loadedAtInit('slack-ingress');
    const clients = ['client-dynamodb', 'client-sfn', 'client-lambda', 'client-secrets-manager'].map(
      (c) => `@aws-sdk/${c}`,
    );
    expect(bundles['slack-ingress']?.bundle.file).toMatch(/index\.mjs$/);
    expect([...packagesIn(meta, atInit)].filter((p) => clients.includes(p))).toEqual([]);
    expect([...packagesIn(meta, Object.keys(meta.outputs))].filter((p) => clients.includes(p)).sort()).toEqual(
      [...clients].sort(),
    );
    // What /jit runs is there at init: the Slack app and its Web API client.
    expect([...packagesIn(meta, atInit)]).toEqual(expect.arrayContaining(['@slack/bolt', '@slack/web-api']));
  });

  it('keeps each task in one CommonJS file: its first invocation loads nearly all it imports', () => {
    const { meta } = loadedAtInit('grant-access');
    const code = Object.keys(meta.outputs).filter((o) => !o.endsWith('.map'));
    expect(code.map((o) => basename(o))).toEqual(['index.js']);
    expect(SPLIT_FUNCTIONS.has('grant-access')).toBe(false);
  });
});

describe("what no function runs stays out: Bolt's other receivers, minipass-fetch's textConverted", () => {
  it('leaves undici and iconv-lite out of the Slack endpoint, and iconv-lite out of the tasks', () => {
    const carried = (name: string) => bundles[name]?.bundle.packages.map(([p]) => p) ?? [];
    expect(carried('slack-ingress')).toEqual(expect.arrayContaining(['@slack/bolt', '@slack/socket-mode']));
    expect(carried('slack-ingress')).not.toContain('undici');
    expect(carried('slack-ingress')).not.toContain('iconv-lite');
    expect(carried('grant-access')).toContain('minipass-fetch');
    expect(carried('grant-access')).not.toContain('iconv-lite');
  });

  it('puts in their place a module that says, at its first use, what was left out and why', () => {
    const code = codeOf('slack-ingress');
    for (const { module, why } of NEVER_RUN) {
      expect(code).toContain(`${module} is left out of this function's bundle: only ${why} uses it`);
    }
  });
});

describe('the bundles, run as Lambda runs them', () => {
  let rows: ColdStartRow[] = [];

  beforeAll(async () => {
    const specs = ['slack-ingress', 'grant-access', 'audit-export'].map((name) => ({
      name,
      entry: join(ROOT, 'lambdas/handlers', `${name}.ts`),
    }));
    // Fresh node processes on the local stack; it throws when an invocation failed or did not do its work.
    rows = await measureBundles([BASELINE, ...specs], 1);
  }, 180_000);

  it('answer /jit with the modal, grant (ACTIVE), and upload an audit export, twice each', () => {
    expect(rows.map((r) => [r.name, r.failures])).toEqual([
      ['bolt-baseline', 0],
      ['slack-ingress', 0],
      ['grant-access', 0],
      ['audit-export', 0],
    ]);
  });

  it("never load node's own fetch: their Slack calls go over node's http (Bolt's own client does load it)", () => {
    expect(rows.map((r) => [r.name, r.nodeFetchLoads])).toEqual([
      ['bolt-baseline', 1],
      ['slack-ingress', 0],
      ['grant-access', 0],
      ['audit-export', 0],
    ]);
  });
});

describe('the split Slack endpoint, a fresh process for each request kind (AWS-like latencies, the secret read)', () => {
  let cold: AckAwsResult['cold'];

  beforeAll(async () => {
    // One unmeasured warm round sets the stack up; then each kind is answered by a new process of the bundle.
    cold = (await measureAckAws(0, 1)).cold;
  }, 180_000);

  it('answers every kind, its lazily loaded secret reader, store and workflow clients making their calls', () => {
    expect(ACK_KINDS.map((k) => [k, cold[k].failures, cold[k].latencyMs.n])).toEqual(ACK_KINDS.map((k) => [k, 0, 1]));
    for (const kind of ACK_KINDS) expect(cold[kind].callsByOperation['secretsManager GetSecretValue']).toBe(1);
    expect(cold['modal submit'].callsByOperation).toMatchObject({
      'dynamodb PutItem': 1,
      'stepFunctions StartExecution': 1,
    });
    expect(cold['button: Approve'].callsByOperation).toMatchObject({ 'stepFunctions SendTaskSuccess': 1 });
  });
});
