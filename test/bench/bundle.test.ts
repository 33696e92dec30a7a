/**
 * What is in a function's bundle, and why, from esbuild's metafile: the benchmark bundles as the stack
 * does (lib/bundling.ts), so these are the stack's bundles' contents.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Metafile } from 'esbuild';
import { type Bundle, bundle } from '../../bench/bundle';
import { compileConfig } from '../../lambdas/config/compile';
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
