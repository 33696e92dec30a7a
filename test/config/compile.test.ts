import { compileConfig } from '../../lambdas/config/compile';
import { ConfigError } from '../../lambdas/config/errors';
import { DEFAULT_CONFIG_PATH, loadConfig, readBundledConfig } from '../../lambdas/config/load';
import { EXAMPLE_CONFIG_TEXT } from '../support/configs';

describe('the configuration compiled for the function bundles', () => {
  it('is JSON that says exactly what the YAML file says, validated: defaults filled, durations in seconds', () => {
    const { config, json } = compileConfig(EXAMPLE_CONFIG_TEXT, DEFAULT_CONFIG_PATH);
    expect(config).toEqual(loadConfig(DEFAULT_CONFIG_PATH));
    expect(readBundledConfig(json)).toEqual(loadConfig(DEFAULT_CONFIG_PATH));
    expect(JSON.parse(json)).toMatchObject({ retention: 400 * 86400, aws: { logRetentionDays: 90 } });
  });

  it('carries anchors and aliases resolved, and no comments', () => {
    const text = [
      'clusters:',
      '  - name: cluster1',
      '    timeout: &t 20s',
      '  - name: cluster2',
      '    timeout: *t',
      '# who approves',
      'slack: { approvalChannel: C0APPROVALS, accounts: { emailLocalPart: true, trustedEmailDomains: [example.com] } }',
      EXAMPLE_CONFIG_TEXT.slice(EXAMPLE_CONFIG_TEXT.indexOf('\npolicies:')),
    ].join('\n');
    const { json } = compileConfig(text);
    expect(json).not.toContain('who approves');
    expect(readBundledConfig(json).clusters.map((c) => c.timeout)).toEqual([20, 20]);
  });

  it('is refused, naming the field, when the YAML is invalid: nothing is compiled', () => {
    const bad = EXAMPLE_CONFIG_TEXT.replace('maxDuration: 8h', 'maxDuration: forever');
    expect(() => compileConfig(bad)).toThrow(/policies\[0\]\.maxDuration/);
    expect(() => compileConfig('clusters: [')).toThrow(/configuration is not valid YAML/);
  });

  it('is refused when the YAML holds a number JSON cannot write', () => {
    // `.inf` is a YAML number JSON has no way to write (JSON.stringify makes it null): refused before any JSON.
    const text = EXAMPLE_CONFIG_TEXT.replace('logRetentionDays: 90', 'logRetentionDays: .inf');
    let error: unknown;
    try {
      compileConfig(text, 'jit.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('aws.logRetentionDays');
  });
});
