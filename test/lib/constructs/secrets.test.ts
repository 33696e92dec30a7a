/**
 * Every cluster's credentials are read from the secret the stack wires: the functions that call a
 * cluster get its ARN in ONTAP_CLUSTER_SECRETS, whether the stack created the secret (no
 * `credentials.secret` in the configuration) or the configuration named an existing one by ARN.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { TASK_NEEDS } from '../../../lib/constructs/workflow';
import { WORKFLOW_TASKS } from '../../../lib/workflow-definition';
import { exampleConfigWith, synthJit } from '../../support/cdk';

type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
const EXISTING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ontap/cluster1-AbCdEf';

/** ONTAP_CLUSTER_SECRETS of every function, by logical id prefix. */
function clusterSecretsVariables(template: Template): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, Fn>;
  return Object.fromEntries(
    Object.entries(fns).map(([id, fn]) => [id, fn.Properties.Environment.Variables.ONTAP_CLUSTER_SECRETS]),
  );
}

describe('the cluster secrets wiring', () => {
  it('gives the functions that call a cluster the ARN of the secret made for a cluster that names none', () => {
    const noSecret = { usernameEnv: 'ONTAP_CLUSTER1_USERNAME', passwordEnv: 'ONTAP_CLUSTER1_PASSWORD' };
    const synth = synthJit({ configText: exampleConfigWith([[['clusters', 0, 'credentials'], noSecret]]) });
    const secretIds = Object.keys(synth.dataTemplate.findResources('AWS::SecretsManager::Secret'));
    const created = secretIds.find((id) => id.startsWith('SecretsClustercluster1'));
    expect(created).toBeDefined();
    const variables = clusterSecretsVariables(synth.appTemplate);
    const idOf = (fn: IFunction): string => synth.app.getLogicalId(fn.node.defaultChild as CfnFunction);
    const callers = WORKFLOW_TASKS.filter((t) => TASK_NEEDS[t].ontap).map((t) => idOf(synth.app.workflow.functions[t]));
    callers.push(idOf(synth.app.reconciler.fn));
    expect(Object.keys(variables)).toContain(idOf(synth.app.reconciler.fn));
    for (const [id, value] of Object.entries(variables)) {
      if (!callers.includes(id)) {
        expect({ id, value }).toEqual({ id, value: undefined });
        continue;
      }
      const text = JSON.stringify(value);
      // {"cluster1":"<the data stack's output of that secret's ARN>"}
      expect(text).toMatch(/^\{"Fn::Join":\["",\["\{\\"cluster1\\":\\""/);
      expect(text).toContain(`PublishOutputRef${created ?? ''}`);
    }
  });

  it('passes an existing secret’s ARN as the configuration gives it', () => {
    const synth = synthJit({ configText: exampleConfigWith([[['clusters', 0, 'credentials', 'secret'], EXISTING]]) });
    const grant = synth.app.getLogicalId(synth.app.workflow.functions['grant-access'].node.defaultChild as CfnFunction);
    expect(clusterSecretsVariables(synth.appTemplate)[grant]).toBe(JSON.stringify({ cluster1: EXISTING }));
    const made = { Name: 'ontap-jit-approvals/clusters/cluster1' };
    synth.dataTemplate.resourcePropertiesCountIs('AWS::SecretsManager::Secret', made, 0);
  });
});
