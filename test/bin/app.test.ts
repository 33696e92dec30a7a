/** bin/app.ts as `cdk synth` runs it (`npx tsx bin/app.ts` with the CLI's environment), without bundling. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cdkJsonContext, EXAMPLE_CONFIG_TEXT, ROOT } from '../support/cdk';

interface Outcome {
  code: number;
  stderr: string;
}

const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const work = mkdtempSync(join(tmpdir(), 'jit-app-'));

/** Runs the app with `JIT_CONFIG` and the context the CLI would pass, writing the assembly to `outdir`. */
function synth(configFile: string | undefined, outdir: string): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(configFile ? { JIT_CONFIG: configFile } : {}),
  };
  return new Promise((done) => {
    execFile(TSX, [resolve(ROOT, 'bin/app.ts')], { cwd: ROOT, env }, (error, _stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stderr });
    });
  });
}

let good: Outcome;
let bad: Outcome;
let plainHttp: Outcome;
const goodOut = join(work, 'good');
beforeAll(async () => {
  const badFile = join(work, 'bad.yaml');
  writeFileSync(badFile, EXAMPLE_CONFIG_TEXT.replace('maxDuration: 8h', 'maxDuration: 0.5s'));
  const httpFile = join(work, 'http.yaml');
  writeFileSync(
    httpFile,
    EXAMPLE_CONFIG_TEXT.replace(
      '  - name: cluster1\n',
      '  - name: cluster1\n    endpoint: http://cluster1-mgmt.example.com\n',
    ),
  );
  [good, bad, plainHttp] = await Promise.all([
    synth(undefined, goodOut),
    synth(badFile, join(work, 'bad')),
    synth(httpFile, join(work, 'http')),
  ]);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the CDK app', () => {
  it('synthesizes both stacks offline from the example configuration, cdk-nag included', () => {
    expect(good).toEqual({ code: 0, stderr: expect.any(String) });
    const manifest = JSON.parse(readFileSync(join(goodOut, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([id]) => id);
    expect(stacks.sort()).toEqual(['OntapJitApp', 'OntapJitData']);
  });

  it('stops on a bad configuration, naming the field', () => {
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid configuration at policies[0].maxDuration');
  });

  it('stops on a cluster reached over plain http://, naming the field', () => {
    expect(plainHttp.code).toBe(1);
    expect(plainHttp.stderr).toContain('Invalid configuration at clusters[0].endpoint: must use https://');
  });
});
