import type { NetworkProps } from '../../../constructs/network/network';
import { INTERFACE_ENDPOINTS, Network } from '../../../constructs/network/network';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: NetworkProps = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  region: 'eu-west-1',
  vpcCidr: '10.40.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  clusterName: 'wms-test-eks',
};

function build(overrides: Partial<NetworkProps> = {}) {
  const stack = awsTestStack();
  const network = new Network(stack, 'Network', { ...BASE, ...overrides });
  return { network, json: synthJson(stack) };
}

type Row = Record<string, unknown>;
const tagsOf = (resource: Row) => resource.tags as Record<string, string>;
const subnetsOfTier = (json: ReturnType<typeof synthJson>, tier: string) =>
  listOfType(json, 'aws_subnet').filter((s) => tagsOf(s)['wms:tier'] === tier);

describe('Network', () => {
  describe('defaults', () => {
    const { network, json } = build();

    it('creates a VPC with DNS support and hostnames', () => {
      expect(listOfType(json, 'aws_vpc')).toEqual([
        expect.objectContaining({
          cidr_block: '10.40.0.0/16',
          enable_dns_hostnames: true,
          enable_dns_support: true,
        }),
      ]);
    });

    it('lays out private /19, public /24 and database /24 subnets per AZ, none with public IPs on launch', () => {
      expect(subnetsOfTier(json, 'private').map((s) => s.cidr_block)).toEqual([
        '10.40.0.0/19',
        '10.40.32.0/19',
        '10.40.64.0/19',
      ]);
      expect(subnetsOfTier(json, 'public').map((s) => s.cidr_block)).toEqual([
        '10.40.128.0/24',
        '10.40.129.0/24',
        '10.40.130.0/24',
      ]);
      expect(subnetsOfTier(json, 'database').map((s) => s.availability_zone)).toEqual(BASE.availabilityZones);
      expect(listOfType(json, 'aws_subnet').every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    });

    it('places one NAT gateway per AZ, each private route table using its own', () => {
      expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(3);
      const natRoutes = listOfType(json, 'aws_route').filter((r) => r.nat_gateway_id);
      expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
    });

    it('creates the interface endpoints with their own security group admitting HTTPS from the VPC only', () => {
      const interfaces = listOfType(json, 'aws_vpc_endpoint').filter(
        (e) => e.vpc_endpoint_type === 'Interface',
      );
      expect(interfaces.map((e) => e.service_name).sort()).toEqual(
        Object.keys(INTERFACE_ENDPOINTS).map((s) => `com.amazonaws.eu-west-1.${s}`),
      );
      expect(interfaces.every((e) => e.private_dns_enabled === true)).toBe(true);
      expect(listOfType(json, 'aws_vpc_security_group_ingress_rule')).toEqual([
        expect.objectContaining({
          from_port: 443,
          to_port: 443,
          ip_protocol: 'tcp',
          cidr_ipv4: '10.40.0.0/16',
        }),
      ]);
    });

    it('keeps flow logs for 365 days in a KMS-encrypted log group', () => {
      expect(listOfType(json, 'aws_cloudwatch_log_group')).toEqual([
        expect.objectContaining({
          name: '/aws/vpc-flow-logs/wms-test',
          retention_in_days: 365,
          kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..*\.arn\}$/),
        }),
      ]);
      expect(listOfType(json, 'aws_kms_key')).toEqual([
        expect.objectContaining({ enable_key_rotation: true }),
      ]);
      expect(listOfType(json, 'aws_flow_log')).toEqual([
        expect.objectContaining({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' }),
      ]);
    });

    it('scopes the flow-log role to its own log group and account', () => {
      const [role] = listOfType(json, 'aws_iam_role');
      const trust = JSON.parse(role.assume_role_policy as string);
      expect(trust.Statement[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
      const [policy] = listOfType(json, 'aws_iam_role_policy');
      const statement = JSON.parse(policy.policy as string).Statement[0];
      expect(statement.Resource).toEqual([
        'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc-flow-logs/wms-test',
        'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc-flow-logs/wms-test:*',
      ]);
    });

    it('adopts the default security group, network ACL and route table with no rules', () => {
      expect(listOfType(json, 'aws_default_security_group')).toEqual([
        expect.objectContaining({ ingress: [], egress: [] }),
      ]);
      expect(listOfType(json, 'aws_default_network_acl')).toEqual([
        expect.objectContaining({ ingress: [], egress: [] }),
      ]);
      expect(listOfType(json, 'aws_default_route_table')).toEqual([expect.objectContaining({ route: [] })]);
    });

    it('gives the database tier a route table with no route at all and an S3 endpoint only to private tables', () => {
      const databaseTable = listOfType(json, 'aws_route_table').find(
        (t) => tagsOf(t).Name === 'wms-test-database',
      );
      expect(databaseTable).toBeDefined();
      expect(databaseTable?.route).toBeUndefined();
      const routes = listOfType(json, 'aws_route');
      expect(routes).toHaveLength(4);
      const [s3] = listOfType(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Gateway');
      expect(s3.route_table_ids).toHaveLength(3);
    });

    it('lets only principals of this account use the gateway and interface endpoints (no organization by default)', () => {
      const endpoints = listOfType(json, 'aws_vpc_endpoint');
      expect(endpoints).toHaveLength(Object.keys(INTERFACE_ENDPOINTS).length + 1);
      for (const endpoint of endpoints) {
        const policy = JSON.parse(endpoint.policy as string);
        expect(policy.Statement[0]).toEqual({
          Sid: 'AccountPrincipalsOnly',
          Effect: 'Allow',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
        });
      }
      // STS: unsigned AssumeRoleWithWebIdentity has no principal account yet; only this account's roles.
      const sts = endpoints.find((e) => String(e.service_name).endsWith('.sts')) as Row;
      expect(JSON.parse(sts.policy as string).Statement[1]).toEqual({
        Sid: 'WebIdentityToOwnRoles',
        Effect: 'Allow',
        Principal: '*',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Resource: 'arn:aws:iam::123456789012:role/*',
      });
    });

    it('admits only PostgreSQL from the private subnets into the database tier', () => {
      const acl = listOfType(json, 'aws_network_acl').find((a) => tagsOf(a).Name === 'wms-test-database');
      const ingress = acl?.ingress as Row[];
      expect(ingress.map((r) => [r.cidr_block, r.from_port, r.to_port])).toEqual([
        ['10.40.0.0/19', 5432, 5432],
        ['10.40.32.0/19', 5432, 5432],
        ['10.40.64.0/19', 5432, 5432],
      ]);
    });

    it('admits the internet to the public tier on 80, 443 and ephemeral ports, never 22 or 3389', () => {
      const acl = listOfType(json, 'aws_network_acl').find((a) => tagsOf(a).Name === 'wms-test-public');
      const fromInternet = (acl?.ingress as Row[]).filter((r) => r.cidr_block === '0.0.0.0/0');
      for (const port of [22, 3389]) {
        expect(
          fromInternet.some((r) => (r.from_port as number) <= port && port <= (r.to_port as number)),
        ).toBe(false);
      }
      expect(fromInternet.map((r) => r.from_port)).toEqual([443, 80, 1024, 3390]);
    });

    it('tags subnets for EKS, the load balancer controller and Karpenter discovery', () => {
      const [publicSubnet] = subnetsOfTier(json, 'public');
      const [privateSubnet] = subnetsOfTier(json, 'private');
      const [databaseSubnet] = subnetsOfTier(json, 'database');
      expect(tagsOf(publicSubnet)).toMatchObject({
        'kubernetes.io/role/elb': '1',
        'kubernetes.io/cluster/wms-test-eks': 'shared',
      });
      expect(tagsOf(privateSubnet)).toMatchObject({
        'kubernetes.io/role/internal-elb': '1',
        'karpenter.sh/discovery': 'wms-test-eks',
      });
      expect(Object.keys(tagsOf(databaseSubnet)).filter((k) => k.startsWith('kubernetes.io'))).toEqual([]);
    });

    it('exposes literal CIDRs and one subnet id per AZ and tier', () => {
      expect(network.privateSubnetCidrs).toEqual(['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19']);
      expect(network.databaseSubnetCidrs).toEqual(['10.40.132.0/24', '10.40.133.0/24', '10.40.134.0/24']);
      expect(network.publicSubnetIds).toHaveLength(3);
      expect(network.databaseSubnetIds).toHaveLength(3);
      expect(network.privateRouteTableIds).toHaveLength(3);
      expect(network.availabilityZones).toEqual(BASE.availabilityZones);
    });
  });

  describe('options', () => {
    it('GIVEN natGateways single THEN one NAT serves every private route table', () => {
      const { json } = build({ natGateways: 'single' });
      expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(1);
      expect(listOfType(json, 'aws_eip')).toHaveLength(1);
      const natRoutes = listOfType(json, 'aws_route').filter((r) => r.nat_gateway_id);
      expect(natRoutes).toHaveLength(3);
      expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
    });

    it('GIVEN an organization id THEN every endpoint admits principals of the organization', () => {
      const { json } = build({ organizationId: 'o-a1b2c3d4e5' });
      for (const endpoint of listOfType(json, 'aws_vpc_endpoint')) {
        const [first] = JSON.parse(endpoint.policy as string).Statement;
        expect(first).toMatchObject({
          Sid: 'OrganizationPrincipalsOnly',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        });
      }
    });

    it('GIVEN an organization id that is not one THEN it names the prop', () => {
      expect(() => build({ organizationId: 'acme' })).toThrow(
        /organizationId: "acme" is not allowed \(an AWS Organization id such as o-a1b2c3d4e5\)/,
      );
    });

    it('GIVEN interfaceEndpoints false THEN only the free S3 gateway endpoint remains', () => {
      const { json } = build({ interfaceEndpoints: false });
      expect(listOfType(json, 'aws_vpc_endpoint').map((e) => e.vpc_endpoint_type)).toEqual(['Gateway']);
      expect(listOfType(json, 'aws_security_group')).toEqual([]);
    });

    it('GIVEN a flow-log retention THEN the log group keeps it', () => {
      const { json } = build({ flowLogRetentionDays: 30 });
      expect(listOfType(json, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(30);
    });

    it('GIVEN subnet prefix lengths THEN subnets have those sizes', () => {
      const { json } = build({ subnetPrefixLengths: { private: 20, public: 26, database: 27 } });
      expect(subnetsOfTier(json, 'private')[0].cidr_block).toBe('10.40.0.0/20');
      expect(subnetsOfTier(json, 'public')[0].cidr_block).toBe('10.40.64.0/26');
      expect(subnetsOfTier(json, 'database')[0].cidr_block).toBe('10.40.65.0/27');
    });
  });

  describe('validation', () => {
    it.each([
      [
        { availabilityZones: [] },
        /test\/Network: availabilityZones: \[\] is not allowed \(1 to 4 distinct AZs\)/,
      ],
      [
        { availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
        /availabilityZones: \["eu-west-1a","eu-west-1a"\] is not allowed/,
      ],
      [{ flowLogRetentionDays: 42 as 30 }, /flowLogRetentionDays: 42 is not allowed \(one of 1, 3, 5/],
      [
        { vpcCidr: '10.40.0.0/24' },
        /vpcCidr\/subnetPrefixLengths: "10.40.0.0\/24" is not allowed \(private subnets of \/19/,
      ],
    ])('GIVEN %j THEN it throws naming the prop', (overrides, message) => {
      expect(() => build(overrides as Partial<NetworkProps>)).toThrow(message);
    });
  });
});
