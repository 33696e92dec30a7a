/**
 * Configuration files that are YAML on the surface but cannot be turned into data: every one is
 * refused with a ConfigError that says so, never a library's bare exception at start.
 */

import { ConfigError } from '../../lambdas/config/errors';
import { parseConfig, parseConfigText } from '../../lambdas/config/load';
import { rawPolicy } from '../support/configs';

describe('a configuration file the YAML library cannot turn into data', () => {
  it.each([
    ['an alias with no anchor', 'retention: *forever\n'],
    ['an alias to an anchor defined later', 'retention: *r\nother: &r 400d\n'],
    [
      'an alias bomb',
      [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
      ].join('\n'),
    ],
  ])('with %s is refused with a ConfigError', (_what, text) => {
    expect(() => parseConfigText(text, 'jit.yaml')).toThrow(ConfigError);
    expect(() => parseConfigText(text, 'jit.yaml')).toThrow(/^Invalid configuration: jit.yaml is not valid YAML: /);
  });
});

describe('a configuration field of the wrong type', () => {
  const base = {
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: 'C0APPROVALS' },
    policies: [rawPolicy()],
  };
  it.each([
    [
      'a number where a duration is expected',
      { policies: [{ ...base.policies[0], maxDuration: 8 }] },
      'policies[0].maxDuration',
      /expected string, received number/,
    ],
    [
      'text where a number is expected',
      { policies: [{ ...base.policies[0], approvalsRequired: '2' }] },
      'policies[0].approvalsRequired',
      /expected number, received string/,
    ],
    [
      'a list where text is expected',
      { slack: { approvalChannel: ['C0APPROVALS'] } },
      'slack.approvalChannel',
      /expected string, received array/,
    ],
  ])('%s names the field and what is wrong, not "is required"', (_what, change, field, problem) => {
    expect(() => parseConfig({ ...base, ...change })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, ...change })).toThrow(
      new RegExp(`^Invalid configuration at ${field.replace(/[[\].]/g, '\\$&')}: ${problem.source}`),
    );
  });

  it('a missing field is still "is required"', () => {
    const { slack: _slack, ...withoutSlack } = base;
    expect(() => parseConfig(withoutSlack)).toThrow('Invalid configuration at slack: is required');
  });
});
