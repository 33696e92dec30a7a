/**
 * The one test that bundles for real (esbuild, as `cdk synth` does): every function's bundle is
 * small, carries the configuration validated at synth, and runs from where it was bundled with no
 * configuration file beside it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { transformSync } from 'esbuild';
import { compileConfig } from '../../../lambdas/config/compile';
import { parseConfigText } from '../../../lambdas/config/load';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../local/dynamodb';
import { exampleConfigWith, type SynthesizedJit, synthJit } from '../../support/cdk';

const run = promisify(execFile);
const MB = 1024 * 1024;
const marker = `bundle-check-${process.pid}-${Date.now()}`;
const outdir = mkdtempSync(join(tmpdir(), 'jit-bundles-'));
const configText = exampleConfigWith([[['policies', 0, 'description'], marker]]);
let synth: SynthesizedJit;
let bundles: Record<string, string>;

/** A bundle's entry: `index.js`, or `index.mjs` for a function split at its dynamic imports (lib/bundling.ts). */
function entryIn(dir: string): string {
  const mjs = join(dir, 'index.mjs');
  return existsSync(mjs) ? mjs : join(dir, 'index.js');
}

/** All the code a bundle ships: its entry and, when split, its chunks (source maps apart). */
function codeOf(entry: string): string {
  const dir = join(entry, '..');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?js$/.test(f));
  return files
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

beforeAll(() => {
  synth = synthJit({
    configText,
    bundleInto: outdir,
    validate: true,
  });
  const functions = {
    ...synth.app.workflow.functions,
    'slack-ingress': synth.app.ingress.fn,
    reconcile: synth.app.reconciler.fn,
  };
  const template = synth.appTemplate.toJSON() as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
  };
  bundles = Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => {
      // The asset's S3 key is `<hash>.zip`; the cloud assembly stages it in `asset.<hash>/`.
      const key =
        template.Resources[synth.app.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.Code?.S3Key;
      if (!key) throw new Error(`no asset for ${name}`);
      return [name, entryIn(join(outdir, `asset.${key.replace(/\.zip$/, '')}`))];
    }),
  );
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the function bundles', () => {
  it('exist for all nine functions, each a few MB at most (the Slack endpoint carries Bolt)', () => {
    expect(Object.keys(bundles)).toHaveLength(9);
    for (const [name, file] of Object.entries(bundles)) {
      expect({ name, exists: existsSync(file) }).toEqual({ name, exists: true });
      const limit = name === 'slack-ingress' ? 4 * MB : 2 * MB;
      expect({ name, small: Buffer.byteLength(codeOf(file)) < limit }).toEqual({ name, small: true });
    }
  });

  it('carry the configuration validated at synth as JSON, saying what the YAML file says', () => {
    const { json } = compileConfig(configText);
    expect((JSON.parse(json) as { policies: Array<{ description: string }> }).policies[0]?.description).toBe(marker);
    // The string literal exactly as esbuild writes it in a minified bundle (as an argument: a lone string is a directive).
    const literal = transformSync(`f(${JSON.stringify(json)})`, { minify: true })
      .code.trim()
      .slice(2, -2);
    for (const [name, file] of Object.entries(bundles)) {
      const code = codeOf(file);
      expect({ name, json: code.includes(literal), yamlText: code.includes('approvalChannel: C0APPROVALS') }).toEqual({
        name,
        json: true,
        yamlText: false,
      });
    }
    expect(parseConfigText(configText)).toEqual(compileConfig(configText).config);
  });

  it('are each their own function, bundled from its own entry', () => {
    const codes = new Set(Object.values(bundles).map(codeOf));
    expect(codes.size).toBe(Object.keys(bundles).length);
  });

  it("carry zod's English messages alone, the language the product speaks", () => {
    for (const [name, file] of Object.entries(bundles)) {
      const code = codeOf(file);
      // English, Dutch and German wordings of one zod message (ASCII: esbuild escapes the rest): only the first.
      const found = ['Invalid input', 'Ongeldige invoer', 'Eingabe: erwartet'].map((m) => code.includes(m));
      expect({ name, found }).toEqual({ name, found: [true, false, false] });
    }
  });

  it('leave the YAML parser out: the configuration needs none', () => {
    for (const [name, file] of Object.entries(bundles)) {
      const code = codeOf(file);
      // Strings the YAML library carries (its error class and its schema tags) and the lazy require left in its
      // place (in an ES module bundle through esbuild's `__require`, renamed by the minifier).
      const yaml = ['YAMLParseError', 'tag:yaml.org,2002:'].filter((s) => code.includes(s));
      const required = /(?:^|[^\w$.])[\w$]+\("yaml"\)/.test(code);
      expect({ name, yaml, required }).toEqual({ name, yaml: [], required: true });
    }
  });

  describe('run with no configuration file beside them', () => {
    let dynamo: EmbeddedDynamo;
    beforeAll(async () => {
      dynamo = await startEmbeddedDynamo({ tableName: 'bundled-requests' });
    });
    afterAll(() => dynamo.close());

    /** Loads a bundle in a fresh node process from its asset folder and calls its handler with `event`. */
    async function invoke(name: string, event: unknown, env: Record<string, string>): Promise<unknown> {
      const file = bundles[name] as string;
      // Loaded as Lambda's runtime loads a handler: an ES module by import(), a CommonJS one by require().
      const load = file.endsWith('.mjs')
        ? `import(${JSON.stringify(pathToFileURL(file).href)})`
        : `Promise.resolve(require(${JSON.stringify(file)}))`;
      const script = `${load}.then((m) => m.handler(${JSON.stringify(event)}).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e)); process.exit(1); }))`;
      const { stdout } = await run(process.execPath, ['-e', script], {
        cwd: tmpdir(),
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...env,
        },
      });
      return JSON.parse(
        stdout
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('{"level'))
          .pop() ?? 'null',
      );
    }

    it('the reconciler reads the table it is told and finds nothing due', async () => {
      await expect(
        invoke(
          'reconcile',
          {},
          {
            JIT_TABLE_NAME: 'bundled-requests',
            DYNAMODB_ENDPOINT: dynamo.endpoint,
            STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
          },
        ),
      ).resolves.toMatchObject({ due: 0, repaired: 0, retrying: 0, more: false });
    });

    it('the Slack endpoint refuses an unsigned request', async () => {
      const event = {
        version: '2.0',
        rawPath: '/slack/events',
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path: '/slack/events' } },
        body: '{"type":"url_verification","challenge":"x"}',
        isBase64Encoded: false,
      };
      const env = {
        JIT_TABLE_NAME: 'bundled-requests',
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
        SLACK_SIGNING_SECRET: 'test-signing',
        SLACK_BOT_TOKEN: 'xoxb-test',
      };
      await expect(invoke('slack-ingress', event, env)).resolves.toMatchObject({ statusCode: 401 });
    });
  });
});
