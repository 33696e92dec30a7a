/** The product's stacks synthesized for tests: cdk.json's feature flags, asset bundling skipped unless asked for. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfigText } from '../../lambdas/config/load';
import { addJitStacks, type JitStacks } from '../../lib/jit-app';
import { EXAMPLE_CONFIG_TEXT } from './configs';

/** The repository's root. */
export const ROOT = resolve(__dirname, '../..');

/** The context `cdk synth` runs with (cdk.json's feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(resolve(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** The example configuration and its variants live with the other test configurations (configs.ts). */
export { EXAMPLE_CONFIG_TEXT, exampleConfigWith } from './configs';

/** A synthesized pair of stacks and their templates. */
export interface SynthesizedJit extends JitStacks {
  readonly appTemplate: Template;
  readonly dataTemplate: Template;
}

/**
 * Synthesizes both stacks from `configText` (default: the example); no bundling unless `bundleInto`
 * names a folder for a real one. CDK's built-in CloudFormation validation (seconds of start-up per
 * process) runs only when `validate` is set: the cdk-nag and bundle tests run it on every
 * configuration they synthesize.
 */
export function synthJit(
  options: { configText?: string; bundleInto?: string; validate?: boolean } = {},
): SynthesizedJit {
  const configText = options.configText ?? EXAMPLE_CONFIG_TEXT;
  const context = { ...cdkJsonContext(), ...(options.bundleInto ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ context, ...(options.bundleInto ? { outdir: options.bundleInto } : {}) });
  const stacks = addJitStacks(app, { config: parseConfigText(configText), configText });
  // The warning is right for a deployment, and known here: tests synthesize a cluster without endpoint on purpose.
  Validations.of(stacks.app).acknowledge({
    id: 'Annotation::ontap-jit:cluster-without-endpoint',
    reason: 'Tests synthesize the example configuration.',
  });
  const saved = process.env.CDK_VALIDATION;
  if (!options.validate) process.env.CDK_VALIDATION = 'false';
  try {
    return { ...stacks, appTemplate: Template.fromStack(stacks.app), dataTemplate: Template.fromStack(stacks.data) };
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
}
