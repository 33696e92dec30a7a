/** The product's secrets: Slack's signing secret and bot token, and one ONTAP credential per cluster. */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../../lambdas/config/schema';
import { CLUSTER_SECRETS_VARIABLE } from '../../lambdas/runtime/env';

/** Properties of the secrets construct. */
export interface JitSecretsProps {
  /** The configured clusters; each gets its credentials secret. */
  readonly clusters: readonly ClusterConfig[];
  /**
   * Name of the Slack secret (`{"signingSecret": "...", "botToken": "xoxb-..."}`).
   * @default 'ontap-jit-approvals/slack'
   */
  readonly slackSecretName?: string;
}

/**
 * Creates the secrets empty (values are put by the operator, never by the template) or, where the
 * configuration gives an ARN, references the existing secret.
 */
export class JitSecrets extends Construct {
  /** Slack signing secret and bot token. */
  public readonly slack: ISecret;
  /** ONTAP credentials per cluster name. */
  public readonly clusters: ReadonlyMap<string, ISecret>;

  constructor(scope: Construct, id: string, props: JitSecretsProps) {
    super(scope, id);
    this.slack = new Secret(this, 'Slack', {
      secretName: props.slackSecretName ?? 'ontap-jit-approvals/slack',
      description: 'Slack app signing secret and bot token for ontap-jit-approvals: {"signingSecret","botToken"}',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.slack).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Slack issues the signing secret and bot token; Secrets Manager cannot rotate them. They are regenerated in the Slack app settings and put with put-secret-value (README, "Rotating secrets").',
    });
    const clusters = new Map<string, ISecret>();
    for (const cluster of props.clusters) {
      const name = cluster.credentials.secret ?? `ontap-jit-approvals/clusters/${cluster.name}`;
      const secret = name.startsWith('arn:')
        ? Secret.fromSecretCompleteArn(this, `Cluster-${cluster.name}`, name)
        : new Secret(this, `Cluster-${cluster.name}`, {
            secretName: name,
            description: `ONTAP credentials for cluster ${cluster.name} used by ontap-jit-approvals: {"username","password"}`,
            removalPolicy: RemovalPolicy.RETAIN,
          });
      if (secret instanceof Secret) {
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions::AwsSolutions-SMG4',
          reason:
            'The ONTAP account password is changed on the cluster by its administrators; a rotation function would need cluster-admin rights to change it, which the product deliberately does not hold. Rotate on the cluster, then put-secret-value (README).',
        });
      }
      clusters.set(cluster.name, secret);
    }
    this.clusters = clusters;
  }
}

/**
 * Lets `grantee` read a secret's value: `secretsmanager:GetSecretValue` on that secret only (what
 * lambdas/runtime/secrets.ts calls; `grantRead` would add DescribeSecret).
 */
export function grantSecretValue(secret: ISecret, grantee: IGrantable): void {
  Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn] });
}

/**
 * The environment that tells a function where each cluster's credentials live: `ONTAP_CLUSTER_SECRETS`,
 * a JSON object of cluster name to secret ARN, so a cluster whose secret the stack created (no
 * `credentials.secret` in the configuration) is read from that secret at run time.
 */
export function clusterSecretsEnvironment(
  scope: Construct,
  secrets: ReadonlyMap<string, ISecret>,
): Record<string, string> {
  if (secrets.size === 0) return {};
  const arns = Object.fromEntries([...secrets].map(([cluster, secret]) => [cluster, secret.secretArn]));
  return { [CLUSTER_SECRETS_VARIABLE]: Stack.of(scope).toJsonString(arns) };
}
