import type { ResourceNode, StackModel } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import type { JsonObject } from '../../model/values';
import { blocks, boolAttr, numberAttr, stringAttr } from '../../model/values';
import { fail, PASS, requireBool, requireOneOf } from './helpers';

const INTERNET_V4 = '0.0.0.0/0';
const INTERNET_V6 = '::/0';

function vpcChildren(stack: StackModel, vpc: ResourceNode, type: string): ResourceNode[] {
  return stack.referrers(vpc, type, 'vpc_id', ['id']);
}

/** True when a NACL entry allows the internet to reach `port` (TCP, or all protocols). */
function naclEntryOpens(entry: JsonObject, port: number, action: unknown): boolean {
  if (stringAttr(action).kind !== 'known' || String(action).toLowerCase() !== 'allow') return false;
  const internet = entry.cidr_block === INTERNET_V4 || entry.ipv6_cidr_block === INTERNET_V6;
  if (!internet) return false;
  const protocol = String(entry.protocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = numberAttr(entry.from_port);
  const to = numberAttr(entry.to_port);
  return from.kind === 'known' && to.kind === 'known' && from.value <= port && port <= to.value;
}

function naclIngressRule(id: string, port: number, service: string): Rule {
  return {
    id,
    title: `Network ACLs do not allow ingress from 0.0.0.0/0 or ::/0 to port ${port} (${service})`,
    severity: 'high',
    resourceTypes: ['aws_network_acl', 'aws_default_network_acl', 'aws_network_acl_rule'],
    requirement: `No allow entry of a network ACL admits ${service} (TCP ${port}, or all protocols) from the internet.`,
    fix: `limit the entry's cidr_block to a trusted range, or use SSM Session Manager instead of ${service}`,
    check(resource) {
      if (resource.type === 'aws_network_acl_rule') {
        const egress = boolAttr(resource.body.egress);
        if (egress.kind === 'known' && egress.value) return PASS;
        return naclEntryOpens(resource.body, port, resource.body.rule_action)
          ? fail(
              `network ACL rule allows ${service} from the internet: port ${port} is open to ${resource.body.cidr_block ?? resource.body.ipv6_cidr_block}`,
            )
          : PASS;
      }
      return blocks(resource.body.ingress).flatMap((entry, index) =>
        naclEntryOpens(entry, port, entry.action)
          ? fail(
              `network ACL allows ${service} from the internet: ingress[${index}] opens port ${port} to ${entry.cidr_block ?? entry.ipv6_cidr_block}`,
            )
          : [],
      );
    },
  };
}

function defaultSecurityGroupRules(stack: StackModel): (resource: ResourceNode) => boolean {
  return (resource) => {
    const target = resource.body.security_group_id;
    if (stack.referenced(target, ['id'])?.type === 'aws_default_security_group') return true;
    return stack.referenced(target, ['default_security_group_id'])?.type === 'aws_vpc';
  };
}

function availabilityZone(subnet: ResourceNode | undefined): string | undefined {
  const zone = stringAttr(subnet?.body.availability_zone ?? subnet?.body.availability_zone_id);
  return zone.kind === 'known' ? zone.value : undefined;
}

/** VPC, subnet, flow log, default security group / network ACL and NACL rules. */
export const networkRules: readonly Rule[] = [
  {
    id: 'CKV2_AWS_11',
    title: 'VPC flow logging is enabled in all VPCs',
    severity: 'medium',
    resourceTypes: ['aws_vpc'],
    requirement: 'Every VPC has an `aws_flow_log` whose `vpc_id` references it.',
    fix: 'add an aws_flow_log with vpc_id = the VPC id, traffic_type = "ALL", to an encrypted log group or bucket',
    check(vpc, { stack }) {
      return vpcChildren(stack, vpc, 'aws_flow_log').length > 0
        ? PASS
        : fail(`VPC has no flow log: no aws_flow_log has vpc_id = \${${vpc.address}.id}`);
    },
  },
  {
    id: 'WMS_NET_001',
    title: 'VPC flow logs capture all traffic',
    severity: 'low',
    resourceTypes: ['aws_flow_log'],
    requirement: '`traffic_type` is `ALL`, so rejected and accepted flows are both recorded.',
    fix: 'set traffic_type = "ALL"',
    check(flowLog) {
      if (flowLog.body.transit_gateway_id || flowLog.body.transit_gateway_attachment_id) return PASS;
      return requireOneOf(flowLog.body, 'traffic_type', ['ALL'], 'flow log does not capture all traffic');
    },
  },
  {
    id: 'CKV2_AWS_12',
    title: 'The default security group of every VPC restricts all traffic',
    severity: 'high',
    resourceTypes: [
      'aws_vpc',
      'aws_default_security_group',
      'aws_security_group_rule',
      'aws_vpc_security_group_ingress_rule',
      'aws_vpc_security_group_egress_rule',
    ],
    requirement:
      'Every VPC adopts its default security group with an `aws_default_security_group` that has no ingress or egress rules, and no rule resource targets it.',
    fix: 'declare aws_default_security_group { vpc_id = <vpc>.id } with no ingress/egress, and give workloads their own groups',
    check(resource, { stack }) {
      if (resource.type === 'aws_vpc') {
        return vpcChildren(stack, resource, 'aws_default_security_group').length > 0
          ? PASS
          : fail(
              `VPC's default security group is not managed: no aws_default_security_group has vpc_id = \${${resource.address}.id}, so it keeps AWS's allow-all rules`,
            );
      }
      if (resource.type === 'aws_default_security_group') {
        const violations: Violation[] = [];
        for (const direction of ['ingress', 'egress']) {
          const count = blocks(resource.body[direction]).length;
          if (count > 0)
            violations.push({
              message: `default security group has rules: ${direction} has ${count} rule(s), must be empty`,
            });
        }
        return violations;
      }
      return defaultSecurityGroupRules(stack)(resource)
        ? fail(
            `security group rule adds a rule to a default security group: security_group_id is ${String(resource.body.security_group_id)}`,
          )
        : PASS;
    },
  },
  {
    id: 'WMS_NET_002',
    title: 'The default network ACL has no rules',
    severity: 'medium',
    resourceTypes: ['aws_default_network_acl', 'aws_network_acl_rule'],
    requirement:
      'An `aws_default_network_acl` has no ingress or egress entries (so a subnet that is not explicitly associated with a NACL gets no traffic), and no `aws_network_acl_rule` targets the default NACL.',
    fix: 'remove the entries from the default network ACL and associate every subnet with its own aws_network_acl',
    check(resource, { stack }) {
      if (resource.type === 'aws_network_acl_rule') {
        const target = resource.body.network_acl_id;
        const isDefault =
          stack.referenced(target, ['id'])?.type === 'aws_default_network_acl' ||
          stack.referenced(target, ['default_network_acl_id'])?.type === 'aws_vpc';
        return isDefault
          ? fail(
              `network ACL rule adds an entry to the default network ACL: network_acl_id is ${String(target)}`,
            )
          : PASS;
      }
      const violations: Violation[] = [];
      for (const direction of ['ingress', 'egress']) {
        const count = blocks(resource.body[direction]).length;
        if (count > 0)
          violations.push({
            message: `default network ACL has entries: ${direction} has ${count} entr${count === 1 ? 'y' : 'ies'}, must be empty`,
          });
      }
      return violations;
    },
  },
  {
    id: 'CKV_AWS_130',
    title: 'VPC subnets do not assign public IP addresses by default',
    severity: 'medium',
    resourceTypes: ['aws_subnet'],
    requirement:
      '`map_public_ip_on_launch` is not true; load balancers and NAT gateways get their public addresses explicitly.',
    fix: 'remove map_public_ip_on_launch (or set it to false)',
    check(subnet) {
      return requireBool(
        subnet.body,
        'map_public_ip_on_launch',
        false,
        'subnet assigns public IP addresses',
        false,
      );
    },
  },
  naclIngressRule('CKV_AWS_232', 22, 'SSH'),
  naclIngressRule('CKV_AWS_231', 3389, 'RDP'),
  {
    id: 'WMS_NET_003',
    title: 'Production VPCs have a NAT gateway in every availability zone',
    severity: 'medium',
    productionOnly: true,
    resourceTypes: ['aws_vpc'],
    requirement:
      'When a VPC has NAT gateways, every availability zone that has one of its subnets also has a NAT gateway, so losing one zone does not cut the others off (dev may run a single NAT gateway).',
    fix: 'create one aws_nat_gateway in a public subnet of each availability zone and route each private subnet to the one in its zone',
    check(vpc, { stack }) {
      const subnets = vpcChildren(stack, vpc, 'aws_subnet');
      const zones = subnets.map(availabilityZone);
      if (zones.some((zone) => zone === undefined)) return PASS;
      const natZones = new Set(
        stack
          .ofType('aws_nat_gateway')
          .map((nat) => stack.referenced(nat.body.subnet_id, ['id']))
          .filter((subnet): subnet is ResourceNode => subnet !== undefined && subnets.includes(subnet))
          .map(availabilityZone),
      );
      if (natZones.size === 0) return PASS;
      const missing = [...new Set(zones)].filter((zone) => !natZones.has(zone)).sort();
      return missing.length === 0
        ? PASS
        : fail(
            `VPC has NAT gateways in ${natZones.size} availability zone(s) only: ${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} none`,
          );
    },
  },
];
