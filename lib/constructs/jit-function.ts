/** One Lambda function of the product, with the settings every one of them shares. */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, ISecurityGroup, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Where handler entry points live. */
export const HANDLERS_DIR = path.resolve(__dirname, '../../lambdas/handlers');

/** The VPC placement of functions that reach ONTAP. */
export interface VpcPlacement {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  readonly securityGroups: ISecurityGroup[];
}

/** Properties of one product function. */
export interface JitFunctionProps {
  /** File name of the handler under `lambdas/handlers/`, without `.ts`. */
  readonly handler: string;
  /** What the function does, for the console. */
  readonly description: string;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /** Environment variables (never secret values: secrets are passed by ARN). */
  readonly environment?: Record<string, string>;
  /** Days to keep the function's logs. */
  readonly logRetentionDays: number;
  /**
   * Run inside the customer's VPC (functions that reach a cluster's private management interface).
   * @default outside any VPC
   */
  readonly vpc?: VpcPlacement;
}

/** A Node.js 22, arm64, esbuild-bundled function with JSON logs, X-Ray tracing and a retained log group. */
export class JitFunction extends Construct {
  /** The function. */
  public readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: JitFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: toRetention(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(HANDLERS_DIR, `${props.handler}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      ...(props.vpc ?? {}),
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // The Lambda runtime ships the AWS SDK v3, but a pinned copy keeps behaviour identical to the tests.
        externalModules: [],
        // The configuration travels inside the bundle; it is validated at synth and at start.
        commandHooks: undefined,
      },
    });
  }
}

const RETENTIONS = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');

/** The smallest CloudWatch retention that keeps logs at least `days`. */
export function toRetention(days: number): RetentionDays {
  const fit = RETENTIONS.filter((r) => r >= days && r > 0).sort((a, b) => a - b)[0];
  return fit ?? RetentionDays.INFINITE;
}
