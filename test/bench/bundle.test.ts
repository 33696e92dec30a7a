/**
 * What is in a function's bundle, and why, from esbuild's metafile: the benchmark bundles as the stack
 * does (lib/bundling.ts), so these are the stack's bundles' contents.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Metafile } from 'esbuild';
import { type Bundle, bundle } from '../../bench/bundle';
import { BASELINE, type ColdStartRow, measureBundles } from '../../bench/cold-start';
import { compileConfig } from '../../lambdas/config/compile';
import { NEVER_RUN } from '../../lib/bundling';
import { EXAMPLE_CONFIG_TEXT, ROOT } from '../support/cdk';

const { json } = compileConfig(EXAMPLE_CONFIG_TEXT);
const bundles: Record<string, { bundle: Bundle; inputs: string[] }> = {};

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
    expect(readFileSync(found?.bundle.file ?? '', 'utf8')).toContain('"approvalChannel":"C0APPROVALS"');
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
    const code = readFileSync(bundles['slack-ingress']?.bundle.file ?? '', 'utf8');
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
