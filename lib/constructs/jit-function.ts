/** One Lambda function of the product, with the settings every one of them shares. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AssetHashType, Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BundlingError } from '../errors';

/** Where handler entry points live. */
export const HANDLERS_DIR = path.resolve(__dirname, '../../lambdas/handlers');

/** The VPC placement of functions that reach ONTAP. */
export interface VpcPlacement {
  /** The customer's VPC. */
  readonly vpc: IVpc;
  /** The subnets the functions' network interfaces go in (they need a route to the clusters, to Slack and to the AWS APIs). */
  readonly vpcSubnets: SubnetSelection;
  /** Security groups that let the functions reach the clusters' management interfaces on 443. */
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
  /**
   * Environment variables (never secret values: secrets are passed by ARN).
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Days to keep the function's logs. */
  readonly logRetentionDays: number;
  /**
   * Run inside the customer's VPC (functions that reach a cluster's private management interface).
   * @default outside any VPC
   */
  readonly vpc?: VpcPlacement;
  /**
   * The configuration as JSON, validated at synth and compiled into the bundle (lambdas/config/compile.ts;
   * esbuild `define` of `__JIT_CONFIG_JSON__`, read by lambdas/config/bundled.ts).
   * @default none: the function reads `JIT_CONFIG` or the shipped example
   */
  readonly bundledConfig?: string;
}

/**
 * A Node.js 22, arm64, esbuild-bundled function with JSON logs and a retained log group (no X-Ray:
 * nothing in the product is instrumented, so a trace would show the invocation and nothing inside it). Its role starts with nothing but writing to that log group (no AWS managed policy); every
 * other permission is granted by whoever composes it.
 */
export class JitFunction extends Construct {
  /** The function. */
  public readonly fn: LambdaFunction;
  /** Its execution role. */
  public readonly role: Role;
  /** Its log group. */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: JitFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: toRetention(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ontap-jit-approvals ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants, without its logs:* on every log group: Lambda
      // manages the function's network interfaces with the function's own role.
      this.role.addToPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    this.fn = new LambdaFunction(this, 'Function', {
      code: bundledCode(path.join(HANDLERS_DIR, `${props.handler}.ts`), props.bundledConfig),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      tracing: Tracing.DISABLED,
      loggingFormat: LoggingFormat.JSON,
      logGroup: this.logGroup,
      // No NODE_OPTIONS=--enable-source-maps: Node would read the multi-megabyte map at every cold start
      // and parse it at the first error stack it formats (the Slack endpoint's first request: +160 ms,
      // `npm run bench`). The map still ships beside the bundle, to read a stack trace with when needed.
      environment: { ...props.environment },
      ...(props.vpc ?? {}),
    });
    const checks = Validations.of(this);
    if (props.vpc) {
      checks.acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'The network-interface actions Lambda performs with this role to place the function in the customer VPC ' +
          '(ec2:CreateNetworkInterface, Describe*, DeleteNetworkInterface) accept no resource ARN.',
      });
    }
    checks.acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the product is built and tested for (engines, esbuild target node22, CI on Node 20/22); moving to a newer Lambda runtime is a tested change of the product, not a silent default.',
    });
  }
}

/** The script that bundles one function (esbuild with lib/bundling.ts's options and plugin). */
const BUNDLE_SCRIPT = path.resolve(__dirname, '../bundle-function.ts');
/** tsx's loader, by path: synth may run from any folder. */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

/**
 * The function's code: `entry` bundled at synth by lib/bundle-function.ts, `configJson` compiled in.
 * The asset's hash is its output's, so an unchanged bundle is not uploaded again.
 */
function bundledCode(entry: string, configJson: string | undefined): Code {
  return Code.fromAsset(HANDLERS_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: bundling is local; a failure stops the synth rather than falling back to a container.
      image: Runtime.NODEJS_22_X.bundlingImage,
      // CDK reuses a bundle made from the same options in one synth: what is bundled must be among them.
      command: ['bundle-function', path.basename(entry)],
      environment: {
        CONFIG_SHA256: createHash('sha256')
          .update(configJson ?? '')
          .digest('hex'),
      },
      local: {
        tryBundle(outputDir) {
          const out = spawnSync(process.execPath, ['--import', TSX_LOADER, BUNDLE_SCRIPT, entry, outputDir], {
            input: configJson ?? '',
            encoding: 'utf8',
            stdio: ['pipe', 'inherit', 'pipe'],
          });
          if (out.status !== 0) {
            throw new BundlingError(path.basename(entry), out.stderr || out.error?.message || `exit ${out.status}`);
          }
          return true;
        },
      },
    },
  });
}

/**
 * A log group name under `/aws/vendedlogs/` for logs an AWS service delivers (Step Functions, API
 * Gateway): CloudWatch Logs lets such groups be written without growing the account's 5,120-character
 * log resource policy, which otherwise fails a deployment once full (AWS's advice). The stack's id
 * (unique to each creation of the stack) ends the name: the groups are kept when the stack is
 * deleted, and a new deployment must not collide with them.
 */
export function vendedLogGroupName(service: string, name: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return `/aws/vendedlogs/${service}/${name}-${stackUuid}`;
}

const RETENTIONS = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');

/** The smallest CloudWatch retention that keeps logs at least `days`. */
export function toRetention(days: number): RetentionDays {
  const fit = RETENTIONS.filter((r) => r >= days && r > 0).sort((a, b) => a - b)[0];
  return fit ?? RetentionDays.INFINITE;
}
