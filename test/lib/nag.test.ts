import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseConfigText } from '../../lambdas/config/load';
import { addJitStacks } from '../../lib/jit-app';
import { cdkJsonContext, EXAMPLE_CONFIG_TEXT, exampleConfigWith } from '../support/cdk';

interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  suppressedViolations: {
    ruleName: string;
    acknowledgedId: string;
    reason: string;
    violatingConstructs: { constructPath: string }[];
  }[];
}

/** Synthesizes the app with cdk-nag's AWS Solutions pack as bin/app.ts does; returns the report and the acknowledgements. */
function nag(configText: string): {
  reports: PluginReport[];
  acknowledged: { path: string; id: string; reason: string }[];
} {
  const outdir = mkdtempSync(join(tmpdir(), 'jit-nag-'));
  try {
    const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    addJitStacks(app, { config: parseConfigText(configText), configText });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let failure: unknown;
    // The report is read from its file below; its copy on stderr is noise here.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      app.synth();
    } catch (error) {
      failure = error;
    } finally {
      quiet.mockRestore();
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: PluginReport[];
    };
    if (failure)
      throw new Error(
        `synth failed: ${String(failure)}\n${JSON.stringify(
          report.pluginReports.map((r) => r.violations),
          null,
          1,
        )}`,
      );
    return { reports: report.pluginReports, acknowledged: acknowledgements(app) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason })),
        ),
    );
}

describe.each([
  ['the example configuration', EXAMPLE_CONFIG_TEXT, ['Annotation::ontap-jit:cluster-without-endpoint']],
  [
    'a deployable configuration with a VPC and an alarm e-mail',
    exampleConfigWith([
      [['clusters', 0, 'endpoint'], 'https://cluster1-mgmt.example.com'],
      [
        ['aws', 'vpc'],
        {
          vpcId: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0123456789abcdef0'],
          securityGroupIds: ['sg-0123456789abcdef0'],
        },
      ],
      [['aws', 'alarmEmail'], 'storage-oncall@example.com'],
    ]),
    [],
  ],
])('cdk-nag AWS Solutions on %s', (_name, configText, expectedWarnings) => {
  const { reports, acknowledged } = nag(configText);
  const solutions = reports.find((r) => r.pluginName === 'AwsSolutions');

  it('runs, and finds nothing that is not acknowledged', () => {
    expect(solutions).toBeDefined();
    expect(solutions?.violations).toEqual([]);
    expect(solutions?.conclusion).toBe('success');
  });

  it('leaves no other finding than the warning that the simulator is not deployable', () => {
    const others = reports.filter((r) => r !== solutions).flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(others).toEqual(expectedWarnings);
  });

  it('acknowledges only the findings this product accepts, each with its own reason', () => {
    const findings = solutions?.suppressedViolations.map((v) => v.ruleName) ?? [];
    const rules = new Set(findings.map((f) => f.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    // Wildcards only where a resource cannot be named (X-Ray, log delivery, ENIs), on the task functions' own qualifiers
    // and on the executions of the workflow (named after requests); never a wildcard action.
    for (const finding of findings.filter((f) => f.startsWith('AwsSolutions-IAM5'))) {
      expect(finding).toMatch(
        /^AwsSolutions-IAM5\[Resource::(\*|<Workflow[A-Za-z]+Function[0-9A-F]{8}\.Arn>:\*|arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:OntapJitApp-workflow:\*|arn:<AWS::Partition>:s3:::ontap-jit-audit-<AWS::AccountId>-<AWS::Region>\/audit\/\*)\]$/,
      );
    }
    for (const violation of solutions?.suppressedViolations ?? []) {
      expect(violation.reason.length).toBeGreaterThan(80);
    }
  });

  it('gives every acknowledgement a reason specific to what it covers', () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      const topic = /SMG4/.test(id)
        ? /Slack|ONTAP/
        : /APIG4/.test(id)
          ? /Slack signature/
          : /L1/.test(id)
            ? /Node\.js 22/
            : /IAM5/.test(id)
              ? /X-Ray|LambdaInvoke|log delivery|DescribeExecution|network-interface|ListStreams|audit\/\*/
              : /S1\b/.test(id)
                ? /CloudTrail/
                : /SQS3/.test(id)
                  ? /dead-letter/
                  : /subnet|zone|route/i;
      expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(topic) });
    }
  });
});
