#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy --all`): the configuration file (`JIT_CONFIG`, else
 * config/example.yaml), validated, then the data and app stacks, checked by cdk-nag's AWS Solutions
 * rules. A bad configuration stops the synth with the field it is about; an unacknowledged finding
 * stops it with the rule.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/config/errors';
import { loadConfigSource } from '../lambdas/config/load';
import { addJitStacks } from '../lib/jit-app';

try {
  const { config, text } = loadConfigSource();
  const app = new App();
  addJitStacks(app, { config, configText: text });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
