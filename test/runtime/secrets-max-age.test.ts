/** How long a secret's value is kept: the configuration's aws.secretsMaxAge, JIT_SECRETS_MAX_AGE over it. */
import { parseConfigText } from '../../lambdas/config/load';
import { readEnv, secretsMaxAgeMinutes } from '../../lambdas/runtime/env';
import { EnvironmentError } from '../../lambdas/runtime/errors';
import { DEPLOYED_ENV } from '../deployed-env';
import { EXAMPLE_CONFIG_TEXT, exampleConfigWith } from '../support/configs';

describe('the secrets maximum age', () => {
  it('is 5 minutes unless configured', () => {
    expect(parseConfigText(EXAMPLE_CONFIG_TEXT).aws.secretsMaxAge).toBe(300);
    expect(secretsMaxAgeMinutes(readEnv(DEPLOYED_ENV), parseConfigText(EXAMPLE_CONFIG_TEXT).aws.secretsMaxAge)).toBe(5);
  });

  it('follows aws.secretsMaxAge, and the environment variable over it (local runs and tests)', () => {
    const config = parseConfigText(exampleConfigWith([[['aws', 'secretsMaxAge'], '15m']]));
    expect(secretsMaxAgeMinutes(readEnv(DEPLOYED_ENV), config.aws.secretsMaxAge)).toBe(15);
    expect(secretsMaxAgeMinutes(readEnv({ ...DEPLOYED_ENV, JIT_SECRETS_MAX_AGE: '0' }), config.aws.secretsMaxAge)).toBe(
      0,
    );
  });

  it('refuses an age over a day, or a variable that is not minutes, naming the field', () => {
    expect(() => parseConfigText(exampleConfigWith([[['aws', 'secretsMaxAge'], '2d']]))).toThrow(/aws\.secretsMaxAge/);
    expect(() => readEnv({ ...DEPLOYED_ENV, JIT_SECRETS_MAX_AGE: 'soon' })).toThrow(EnvironmentError);
    expect(() => readEnv({ ...DEPLOYED_ENV, JIT_SECRETS_MAX_AGE: '-1' })).toThrow(/JIT_SECRETS_MAX_AGE/);
  });
});
