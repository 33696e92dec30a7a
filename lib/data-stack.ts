/** The stateful half of the product: the requests table and the secrets. Kept apart so app updates never replace them. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../lambdas/config/schema';
import { AuditArchive } from './constructs/audit-archive';
import { RequestsTable } from './constructs/requests-table';
import { JitSecrets } from './constructs/secrets';

/** Properties of the data stack. */
export interface JitDataStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: Config;
}

/** Table, secrets and the audit archive bucket. */
export class JitDataStack extends Stack {
  /** The requests table. */
  public readonly requests: RequestsTable;
  /** Slack and ONTAP secrets. */
  public readonly secrets: JitSecrets;
  /** The write-once audit archive (bucket and Glue table). */
  public readonly archive: AuditArchive;

  constructor(scope: Construct, id: string, props: JitDataStackProps) {
    super(scope, id, props);
    this.requests = new RequestsTable(this, 'Requests');
    this.secrets = new JitSecrets(this, 'Secrets', { clusters: props.config.clusters });
    this.archive = new AuditArchive(this, 'AuditArchive', { retentionSeconds: props.config.archiveRetention });
  }
}
