import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultNetworkAcl } from '@cdktf/provider-aws/lib/default-network-acl';
import { DefaultRouteTable } from '@cdktf/provider-aws/lib/default-route-table';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import type { NetworkAclEgress, NetworkAclIngress } from '@cdktf/provider-aws/lib/network-acl';
import { NetworkAcl } from '@cdktf/provider-aws/lib/network-acl';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { SubnetPrefixLengths, SubnetTier } from '../../shared/cidr';
import { AZ_SLOTS, DEFAULT_SUBNET_PREFIX_LENGTHS, planSubnets } from '../../shared/cidr';
import { propError } from '../shared/errors';
import type { LogRetentionDays } from '../../shared/log-retention';
import { LOG_RETENTION_DAYS } from '../../shared/log-retention';
import { serviceRole } from '../shared/iam';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import { physicalName } from '../shared/naming';

/** What other constructs need to know about the network. */
export interface INetwork {
  /** VPC id. */
  readonly vpcId: string;
  /** VPC CIDR, literal. */
  readonly vpcCidr: string;
  /** The AZs, in the order of every per-AZ list below. */
  readonly availabilityZones: readonly string[];
  /** Public subnets (load balancers only), one per AZ. */
  readonly publicSubnetIds: string[];
  /** Private subnets (nodes, pods, proxies), one per AZ. */
  readonly privateSubnetIds: string[];
  /** Database subnets (isolated: no route to the internet), one per AZ. */
  readonly databaseSubnetIds: string[];
  /** Literal CIDRs of the public subnets, one per AZ (where the load balancers' nodes are). */
  readonly publicSubnetCidrs: readonly string[];
  /** Literal CIDRs of the private subnets, one per AZ. */
  readonly privateSubnetCidrs: readonly string[];
  /** Literal CIDRs of the database subnets, one per AZ. */
  readonly databaseSubnetCidrs: readonly string[];
  /** Route tables of the private subnets, one per AZ. */
  readonly privateRouteTableIds: string[];
}

/** Properties of a {@link Network}. */
export interface NetworkProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id: scopes the flow-log key and role policies. */
  readonly accountId: string;
  /** AWS region: names the endpoint services. */
  readonly region: string;
  /** VPC CIDR, e.g. 10.30.0.0/16. */
  readonly vpcCidr: string;
  /** AZs to span, 1 to 4; the order fixes each AZ's subnet slot, so only append. */
  readonly availabilityZones: readonly string[];
  /** Name of the EKS cluster that uses the subnets, for the EKS, load balancer and Karpenter discovery tags. */
  readonly clusterName: string;
  /**
   * Prefix length of each tier's per-AZ subnets.
   * @default - private /19, public /24, database /24
   */
  readonly subnetPrefixLengths?: SubnetPrefixLengths;
  /**
   * NAT gateways: one per AZ, or a single one shared by every AZ.
   * @default 'per-az'
   */
  readonly natGateways?: 'per-az' | 'single';
  /**
   * Interface endpoints for ECR (api, dkr), STS, CloudWatch Logs, Secrets Manager and EC2 in the private subnets.
   * @default true
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * Retention of the VPC flow logs.
   * @default 365
   */
  readonly flowLogRetentionDays?: LogRetentionDays;
  /**
   * AWS Organization id (`o-...`): the endpoint policies admit principals of the whole organization instead of
   * this account only.
   * @default - this account only
   */
  readonly organizationId?: string;
}

/** AWS services reached through interface endpoints when they are enabled, with their construct ids. */
export const INTERFACE_ENDPOINTS: Readonly<Record<string, string>> = {
  ec2: 'Ec2Endpoint',
  'ecr.api': 'EcrApiEndpoint',
  'ecr.dkr': 'EcrDkrEndpoint',
  logs: 'LogsEndpoint',
  secretsmanager: 'SecretsManagerEndpoint',
  sts: 'StsEndpoint',
};

const ANYWHERE = '0.0.0.0/0';

// NACLs are stateless, so replies from the internet (through NAT or to the load balancers) arrive on ephemeral
// ports. The range skips 3389 so no rule admits the internet to RDP (Checkov CKV_AWS_231 reads ranges).
const EPHEMERAL_RANGES: readonly [number, number][] = [
  [1024, 3388],
  [3390, 65535],
];

/**
 * A three-tier VPC across the given AZs, modelled on terraform-aws-modules/vpc.
 *
 * Per AZ: a public subnet (load balancers only), a private subnet (nodes and pods, egress through NAT) and a
 * database subnet with no route to the internet. Each tier has its own network ACL; the default security group,
 * network ACL and route table are adopted with no rules. Flow logs of all traffic go to a KMS-encrypted log group.
 */
export class Network extends Construct implements INetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly databaseSubnetIds: string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly databaseSubnetCidrs: readonly string[];
  readonly privateRouteTableIds: string[];
  /** Whether the interface endpoints exist (AWS APIs are then reached inside the private subnets). */
  readonly interfaceEndpoints: boolean;
  /** The VPC resource (escape hatch). */
  readonly vpc: Vpc;
  /** The NAT gateways: one per AZ, or one. */
  readonly natGateways: NatGateway[];
  /** The flow-log group. */
  readonly flowLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azs = props.availabilityZones;
    const prefixLengths = props.subnetPrefixLengths ?? DEFAULT_SUBNET_PREFIX_LENGTHS;
    const retention = props.flowLogRetentionDays ?? 365;
    if (azs.length < 1 || azs.length > AZ_SLOTS || new Set(azs).size !== azs.length) {
      throw propError(this, 'availabilityZones', azs, `1 to ${AZ_SLOTS} distinct AZs`);
    }
    if (props.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      throw propError(
        this,
        'organizationId',
        props.organizationId,
        'an AWS Organization id such as o-a1b2c3d4e5',
      );
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
      throw propError(this, 'flowLogRetentionDays', retention, `one of ${LOG_RETENTION_DAYS.join(', ')}`);
    }
    const layout = planSubnets(props.vpcCidr, azs.length, prefixLengths);
    if ('problems' in layout) {
      throw propError(this, 'vpcCidr/subnetPrefixLengths', props.vpcCidr, layout.problems.join('; '));
    }
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);
    const nameTag = (...parts: string[]) => ({ Name: name(...parts) });

    this.vpc = new Vpc(this, 'Vpc', {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: nameTag('vpc'),
    });
    const vpcId = this.vpc.id;

    this.adoptDefaults(vpcId, nameTag);

    const discovery = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };
    const tierTags: Record<SubnetTier, Record<string, string>> = {
      public: { ...discovery, 'kubernetes.io/role/elb': '1' },
      private: {
        ...discovery,
        'kubernetes.io/role/internal-elb': '1',
        'karpenter.sh/discovery': props.clusterName,
      },
      database: {},
    };
    const subnets = (tier: SubnetTier): Subnet[] =>
      layout.plan[tier].map(
        (cidrBlock, index) =>
          new Subnet(this, `${capitalize(tier)}Subnet${index}`, {
            vpcId,
            cidrBlock,
            availabilityZone: azs[index],
            mapPublicIpOnLaunch: false,
            tags: { ...nameTag(tier, azs[index]), 'wms:tier': tier, ...tierTags[tier] },
          }),
      );
    const publicSubnets = subnets('public');
    const privateSubnets = subnets('private');
    const databaseSubnets = subnets('database');

    const routing = this.createRouting(props, vpcId, nameTag, {
      publicSubnets,
      privateSubnets,
      databaseSubnets,
    });
    this.natGateways = routing.natGateways;
    const privateRouteTables = routing.privateRouteTables;

    this.createNetworkAcls(vpcId, name, props.vpcCidr, layout.plan, {
      public: publicSubnets,
      private: privateSubnets,
      database: databaseSubnets,
    });

    this.flowLogGroup = this.createFlowLogs(vpcId, name, props, retention);

    new VpcEndpoint(this, 'S3Endpoint', {
      vpcId,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: privateRouteTables.map((table) => table.id),
      policy: endpointPolicy(props, 's3'),
      tags: nameTag('s3'),
    });
    if (props.interfaceEndpoints ?? true) {
      this.createInterfaceEndpoints(vpcId, name, props, privateSubnets);
    }

    this.vpcId = vpcId;
    this.vpcCidr = props.vpcCidr;
    this.availabilityZones = [...azs];
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.databaseSubnetIds = databaseSubnets.map((subnet) => subnet.id);
    this.publicSubnetCidrs = layout.plan.public;
    this.privateSubnetCidrs = layout.plan.private;
    this.interfaceEndpoints = props.interfaceEndpoints ?? true;
    this.databaseSubnetCidrs = layout.plan.database;
    this.privateRouteTableIds = privateRouteTables.map((table) => table.id);
  }

  /** The default security group, network ACL and route table, adopted with no rules. */
  private adoptDefaults(vpcId: string, nameTag: (...parts: string[]) => Record<string, string>): void {
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId,
      ingress: [],
      egress: [],
      tags: nameTag('default-do-not-use'),
    });
    new DefaultNetworkAcl(this, 'DefaultNetworkAcl', {
      defaultNetworkAclId: this.vpc.defaultNetworkAclId,
      ingress: [],
      egress: [],
      tags: nameTag('default-do-not-use'),
      // Subnets move to the tier ACLs below; terraform-aws-modules/vpc ignores the same attribute.
      lifecycle: { ignoreChanges: ['subnet_ids'] },
    });
    new DefaultRouteTable(this, 'DefaultRouteTable', {
      defaultRouteTableId: this.vpc.defaultRouteTableId,
      route: [],
      tags: nameTag('default-do-not-use'),
    });
  }

  /**
   * Routes: the public tier through the internet gateway, each private subnet through its AZ's NAT gateway (or the
   * single one), the database tier through a table with no route at all.
   */
  private createRouting(
    props: NetworkProps,
    vpcId: string,
    nameTag: (...parts: string[]) => Record<string, string>,
    subnets: { publicSubnets: Subnet[]; privateSubnets: Subnet[]; databaseSubnets: Subnet[] },
  ): { natGateways: NatGateway[]; privateRouteTables: RouteTable[] } {
    const azs = props.availabilityZones;
    const { publicSubnets, privateSubnets, databaseSubnets } = subnets;
    const igw = new InternetGateway(this, 'InternetGateway', { vpcId, tags: nameTag('igw') });
    const publicRoutes = new RouteTable(this, 'PublicRouteTable', { vpcId, tags: nameTag('public') });
    new Route(this, 'PublicInternetRoute', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: ANYWHERE,
      gatewayId: igw.id,
    });
    publicSubnets.forEach((subnet, index) => {
      new RouteTableAssociation(this, `PublicRouteTableAssociation${index}`, {
        subnetId: subnet.id,
        routeTableId: publicRoutes.id,
      });
    });

    const natCount = (props.natGateways ?? 'per-az') === 'per-az' ? azs.length : 1;
    const natGateways = publicSubnets.slice(0, natCount).map((subnet, index) => {
      const eip = new Eip(this, `NatEip${index}`, { domain: 'vpc', tags: nameTag('nat', azs[index]) });
      return new NatGateway(this, `NatGateway${index}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        tags: nameTag('nat', azs[index]),
        dependsOn: [igw],
      });
    });

    const privateRouteTables = privateSubnets.map((subnet, index) => {
      const table = new RouteTable(this, `PrivateRouteTable${index}`, {
        vpcId,
        tags: nameTag('private', azs[index]),
      });
      new Route(this, `PrivateNatRoute${index}`, {
        routeTableId: table.id,
        destinationCidrBlock: ANYWHERE,
        natGatewayId: natGateways[Math.min(index, natCount - 1)].id,
      });
      new RouteTableAssociation(this, `PrivateRouteTableAssociation${index}`, {
        subnetId: subnet.id,
        routeTableId: table.id,
      });
      return table;
    });

    // One table without any route but the implicit local one: the database tier cannot reach the internet.
    const databaseRoutes = new RouteTable(this, 'DatabaseRouteTable', { vpcId, tags: nameTag('database') });
    databaseSubnets.forEach((subnet, index) => {
      new RouteTableAssociation(this, `DatabaseRouteTableAssociation${index}`, {
        subnetId: subnet.id,
        routeTableId: databaseRoutes.id,
      });
    });
    return { natGateways, privateRouteTables };
  }

  /**
   * Stateless filters per tier, as a second layer behind security groups: the internet reaches the public tier
   * on 80/443 only, and the database tier admits PostgreSQL from the private subnets only.
   */
  private createNetworkAcls(
    vpcId: string,
    name: (...parts: string[]) => string,
    vpcCidr: string,
    plan: Record<SubnetTier, readonly string[]>,
    subnets: Record<SubnetTier, Subnet[]>,
  ): void {
    const rule = (ruleNo: number, protocol: string, cidrBlock: string, from = 0, to = 0) => ({
      ruleNo,
      protocol,
      action: 'allow',
      cidrBlock,
      fromPort: from,
      toPort: to,
    });
    const ephemeralFrom = (firstRuleNo: number, cidrBlock: string) =>
      EPHEMERAL_RANGES.map(([from, to], index) => rule(firstRuleNo + index, 'tcp', cidrBlock, from, to));
    const rules: Record<SubnetTier, { ingress: NetworkAclIngress[]; egress: NetworkAclEgress[] }> = {
      public: {
        ingress: [
          rule(100, 'tcp', ANYWHERE, 443, 443),
          rule(110, 'tcp', ANYWHERE, 80, 80),
          ...ephemeralFrom(120, ANYWHERE),
          rule(200, '-1', vpcCidr),
        ],
        egress: [rule(100, '-1', ANYWHERE)],
      },
      private: {
        ingress: [rule(100, '-1', vpcCidr), ...ephemeralFrom(120, ANYWHERE)],
        egress: [rule(100, '-1', ANYWHERE)],
      },
      database: {
        ingress: plan.private.map((cidr, index) => rule(100 + index, 'tcp', cidr, 5432, 5432)),
        egress: plan.private.flatMap((cidr, index) =>
          EPHEMERAL_RANGES.map(([from, to], range) => rule(100 + index * 10 + range, 'tcp', cidr, from, to)),
        ),
      },
    };
    for (const tier of ['public', 'private', 'database'] as const) {
      new NetworkAcl(this, `${capitalize(tier)}NetworkAcl`, {
        vpcId,
        subnetIds: subnets[tier].map((subnet) => subnet.id),
        ingress: rules[tier].ingress,
        egress: rules[tier].egress,
        tags: { Name: name(tier) },
      });
    }
  }

  private createFlowLogs(
    vpcId: string,
    name: (...parts: string[]) => string,
    props: NetworkProps,
    retentionInDays: number,
  ): CloudwatchLogGroup {
    const logGroupName = `/aws/vpc-flow-logs/${props.namePrefix}`;
    const logGroupArn = `arn:aws:logs:${props.region}:${props.accountId}:log-group:${logGroupName}`;
    const key = customerKey(this, 'FlowLogKey', {
      description: `Encrypts the VPC flow logs of ${props.namePrefix}`,
      alias: name('flow-logs'),
      accountId: props.accountId,
      serviceStatements: [
        logGroupKeyStatement('FlowLogGroupUses', props.region, props.accountId, logGroupName),
      ],
    });

    const logGroup = new CloudwatchLogGroup(this, 'FlowLogGroup', {
      name: logGroupName,
      retentionInDays,
      kmsKeyId: key.arn,
    });
    const role = serviceRole(this, 'FlowLogRole', {
      name: name('vpc-flow-logs'),
      description: 'Lets VPC Flow Logs write to its own log group',
      service: 'vpc-flow-logs.amazonaws.com',
      accountId: props.accountId,
      sourceArn: `arn:aws:ec2:${props.region}:${props.accountId}:vpc-flow-log/*`,
      statements: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [logGroupArn, `${logGroupArn}:*`],
        },
      ],
    });
    new FlowLog(this, 'FlowLog', {
      vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: name('flow-log') },
    });
    return logGroup;
  }

  private createInterfaceEndpoints(
    vpcId: string,
    name: (...parts: string[]) => string,
    props: NetworkProps,
    privateSubnets: Subnet[],
  ): void {
    const securityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      name: name('vpc-endpoints'),
      description: 'Interface VPC endpoints: HTTPS from inside the VPC only',
      vpcId,
      tags: { Name: name('vpc-endpoints') },
    });
    new VpcSecurityGroupIngressRule(this, 'EndpointHttpsIngress', {
      securityGroupId: securityGroup.id,
      description: 'HTTPS to the AWS APIs from inside the VPC',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidr,
    });
    for (const [service, id] of Object.entries(INTERFACE_ENDPOINTS)) {
      new VpcEndpoint(this, id, {
        vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: privateSubnets.map((subnet) => subnet.id),
        securityGroupIds: [securityGroup.id],
        policy: endpointPolicy(props, service),
        tags: { Name: name(service.replace('.', '-')) },
      });
    }
  }
}

/**
 * The policy of one VPC endpoint: only principals of this account (or, with `organizationId`, of its organization)
 * may use it, so credentials of any other account cannot move data out through our endpoints (the identity
 * perimeter of AWS's data-perimeter guidance). Resources are not restricted: nodes pull EKS add-on images from
 * AWS-owned ECR registries and their layers from AWS-owned S3 buckets. STS also admits the unsigned
 * AssumeRoleWithWebIdentity, which has no principal account yet, for this account's roles only.
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 * @see https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html
 */
export function endpointPolicy(
  props: Pick<NetworkProps, 'accountId' | 'organizationId'>,
  service: string,
): string {
  const condition = props.organizationId
    ? { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } }
    : { StringEquals: { 'aws:PrincipalAccount': props.accountId } };
  const statements: Record<string, unknown>[] = [
    {
      Sid: props.organizationId ? 'OrganizationPrincipalsOnly' : 'AccountPrincipalsOnly',
      Effect: 'Allow',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: condition,
    },
  ];
  if (service === 'sts') {
    statements.push({
      Sid: 'WebIdentityToOwnRoles',
      Effect: 'Allow',
      Principal: '*',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Resource: `arn:aws:iam::${props.accountId}:role/*`,
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
