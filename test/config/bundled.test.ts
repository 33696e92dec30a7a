import { readFileSync } from 'node:fs';
import { BUNDLED_CONFIG_IDENTIFIER, bundledConfigJson } from '../../lambdas/config/bundled';
import { compileConfig } from '../../lambdas/config/compile';
import { DEFAULT_CONFIG_PATH, loadConfig, loadConfigSource } from '../../lambdas/config/load';

const global = globalThis as Record<string, unknown>;
const example = readFileSync(DEFAULT_CONFIG_PATH, 'utf8');
const bundled = compileConfig(example.replace('approvalChannel: C0APPROVALS', 'approvalChannel: C0BUNDLED')).json;

describe('the configuration compiled into a bundle', () => {
  const saved = process.env.JIT_CONFIG;
  afterEach(() => {
    delete global[BUNDLED_CONFIG_IDENTIFIER];
    if (saved === undefined) delete process.env.JIT_CONFIG;
    else process.env.JIT_CONFIG = saved;
  });

  it('is absent when running from source: the shipped example is used', () => {
    delete process.env.JIT_CONFIG;
    expect(bundledConfigJson()).toBeUndefined();
    expect(loadConfig().slack.approvalChannel).toBe('C0APPROVALS');
  });

  it('is what a deployed function loads when JIT_CONFIG names no file', () => {
    delete process.env.JIT_CONFIG;
    // esbuild's `define` puts the JSON text where the identifier is; a global of that name stands in for it here.
    global[BUNDLED_CONFIG_IDENTIFIER] = bundled;
    expect(loadConfig().slack.approvalChannel).toBe('C0BUNDLED');
  });

  it('gives way to a file named explicitly', () => {
    global[BUNDLED_CONFIG_IDENTIFIER] = bundled;
    process.env.JIT_CONFIG = DEFAULT_CONFIG_PATH;
    expect(loadConfig().slack.approvalChannel).toBe('C0APPROVALS');
    expect(loadConfig(DEFAULT_CONFIG_PATH).slack.approvalChannel).toBe('C0APPROVALS');
  });

  it('is the configuration validated at synth: it loads as what the YAML file says', () => {
    delete process.env.JIT_CONFIG;
    global[BUNDLED_CONFIG_IDENTIFIER] = compileConfig(example).json;
    expect(loadConfig()).toEqual(loadConfig(DEFAULT_CONFIG_PATH));
  });

  it('is JSON: text that is not says so and names where it came from', () => {
    delete process.env.JIT_CONFIG;
    global[BUNDLED_CONFIG_IDENTIFIER] = 'approvalChannel: C0APPROVALS';
    expect(() => loadConfig()).toThrow(/the bundled configuration is not valid JSON/);
  });
});

describe('the configuration source the CDK app ships', () => {
  it('keeps the text it validated', () => {
    const source = loadConfigSource(DEFAULT_CONFIG_PATH);
    expect(source).toEqual({ path: DEFAULT_CONFIG_PATH, text: example, config: loadConfig(DEFAULT_CONFIG_PATH) });
  });
});

describe('a function reading its compiled-in configuration', () => {
  afterEach(() => {
    delete global[BUNDLED_CONFIG_IDENTIFIER];
  });

  it('never builds the configuration schema (it was run at synth); a file read still does', () => {
    const saved = process.env.JIT_CONFIG;
    delete process.env.JIT_CONFIG;
    global[BUNDLED_CONFIG_IDENTIFIER] = bundled;
    let built = 0;
    jest.isolateModules(() => {
      jest.doMock('../../lambdas/config/schema', () => {
        built += 1;
        return jest.requireActual('../../lambdas/config/schema');
      });
      const load = require('../../lambdas/config/load') as typeof import('../../lambdas/config/load');
      expect(load.loadConfig().slack.approvalChannel).toBe('C0BUNDLED');
      expect(built).toBe(0);
      expect(load.loadConfig(DEFAULT_CONFIG_PATH).slack.approvalChannel).toBe('C0APPROVALS');
      expect(built).toBe(1);
    });
    if (saved !== undefined) process.env.JIT_CONFIG = saved;
  });
});
