/**
 * Configuration files that are YAML on the surface but cannot be turned into data: every one is
 * refused with a ConfigError that says so, never a library's bare exception at start.
 */
import { ConfigError } from '../../lambdas/config/errors';
import { parseConfigText } from '../../lambdas/config/load';

describe('a configuration file the YAML library cannot turn into data', () => {
  it.each([
    ['an alias with no anchor', 'retention: *forever\n'],
    ['an alias to an anchor defined later', 'retention: *r\nother: &r 400d\n'],
    ['an alias bomb', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')],
  ])('with %s is refused with a ConfigError', (_what, text) => {
    expect(() => parseConfigText(text, 'jit.yaml')).toThrow(ConfigError);
    expect(() => parseConfigText(text, 'jit.yaml')).toThrow(/^Invalid configuration: jit.yaml is not valid YAML: /);
  });
});
