/** The product's secrets: Slack's signing secret and bot token, and one ONTAP credential per cluster. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../../lambdas/config/schema';

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
      clusters.set(cluster.name, secret);
    }
    this.clusters = clusters;
  }
}
