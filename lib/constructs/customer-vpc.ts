/** The customer's VPC, imported by id (no lookup, so synth works offline), for the functions that call ONTAP. */
import { Fn, Validations } from 'aws-cdk-lib';
import { type ISecurityGroup, type ISubnet, type IVpc, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { Config } from '../../lambdas/config/schema';
import type { VpcPlacement } from './jit-function';

/** Properties of the imported VPC: `aws.vpc` of the configuration. */
export interface CustomerVpcProps {
  /** VPC id, subnet ids and security group ids, as validated by the configuration schema. */
  readonly settings: NonNullable<Config['aws']['vpc']>;
}

/** The VPC, subnets and security groups as given; nothing in them is created or changed. */
export class CustomerVpc extends Construct {
  /** The VPC. */
  public readonly vpc: IVpc;
  /** The subnets the functions' network interfaces go in. */
  public readonly subnets: readonly ISubnet[];
  /** The security groups the functions use (imported immutable: no rule is added to them). */
  public readonly securityGroups: readonly ISecurityGroup[];
  /** What a JitFunction takes to run in the VPC. */
  public readonly placement: VpcPlacement;

  constructor(scope: Construct, id: string, props: CustomerVpcProps) {
    super(scope, id);
    const { vpcId, subnetIds, securityGroupIds } = props.settings;
    // The zones are the region's (a deploy-time list, no lookup): the functions name their subnets, and nothing selects by zone.
    this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId, availabilityZones: Fn.getAzs() });
    this.subnets = subnetIds.map((subnetId) => Subnet.fromSubnetId(this, subnetId, subnetId));
    this.securityGroups = securityGroupIds.map((groupId) =>
      SecurityGroup.fromSecurityGroupId(this, groupId, groupId, { mutable: false }),
    );
    this.placement = {
      vpc: this.vpc,
      vpcSubnets: { subnets: [...this.subnets] },
      securityGroups: [...this.securityGroups],
    };
    Validations.of(this).acknowledge(
      {
        id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        reason: 'Nothing selects subnets by zone: the functions are given their subnets by id from the configuration.',
      },
      {
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason:
          "Nothing reads the subnets' route tables: routing to the clusters, Slack and the AWS APIs is the customer network's (README).",
      },
    );
  }
}
