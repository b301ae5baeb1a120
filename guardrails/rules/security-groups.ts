import type { ResourceNode, StackModel } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import type { JsonObject } from '../../model/values';
import { blocks, isObject, isPresent, numberAttr, stringListAttr } from '../../model/values';

/** The tag that marks a security group as the front door of a load balancer (see docs/guardrails.md). */
export const LOAD_BALANCER_ROLE_TAG = 'wms:role';
/** The value of {@link LOAD_BALANCER_ROLE_TAG} for load-balancer security groups. */
export const LOAD_BALANCER_ROLE = 'load-balancer';

const INTERNET_V4 = ['0.0.0.0/0'];
const INTERNET_V6 = ['::/0', '0000:0000:0000:0000:0000:0000:0000:0000/0'];
const PUBLIC_WEB_PORTS = [80, 443];

/** One ingress or egress permission, whichever resource shape declared it. */
interface Permission {
  readonly direction: 'ingress' | 'egress';
  /** Lower-case protocol; `-1` means all protocols. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly sources: string[];
  readonly description: unknown;
  /** `ingress[0]` for an inline block, empty for a standalone rule resource. */
  readonly where: string;
  /** The security group the permission belongs to, when it can be resolved. */
  readonly group?: ResourceNode;
}

function portValue(value: unknown): number | undefined {
  const port = numberAttr(value);
  return port.kind === 'known' ? port.value : undefined;
}

function listValue(value: unknown): string[] {
  const list = stringListAttr(value);
  return list.kind === 'known' ? list.value : [];
}

function fromBlock(
  block: JsonObject,
  direction: Permission['direction'],
  where: string,
  group?: ResourceNode,
): Permission {
  return {
    direction,
    protocol: String(block.protocol ?? block.ip_protocol ?? '').toLowerCase(),
    fromPort: portValue(block.from_port),
    toPort: portValue(block.to_port),
    sources: [
      ...listValue(block.cidr_blocks),
      ...listValue(block.ipv6_cidr_blocks),
      ...listValue(block.cidr_ipv4),
      ...listValue(block.cidr_ipv6),
    ],
    description: block.description,
    where,
    group,
  };
}

/** Every permission a security-group-like resource declares, inline or standalone. */
function permissions(resource: ResourceNode, stack: StackModel): Permission[] {
  switch (resource.type) {
    case 'aws_security_group':
    case 'aws_default_security_group':
      return (['ingress', 'egress'] as const).flatMap((direction) =>
        blocks(resource.body[direction]).map((block, index) =>
          fromBlock(block, direction, `${direction}[${index}]`, resource),
        ),
      );
    case 'aws_security_group_rule': {
      const direction = resource.body.type === 'egress' ? 'egress' : 'ingress';
      return [
        fromBlock(resource.body, direction, '', stack.referenced(resource.body.security_group_id, ['id'])),
      ];
    }
    case 'aws_vpc_security_group_ingress_rule':
    case 'aws_vpc_security_group_egress_rule': {
      const direction = resource.type.endsWith('egress_rule') ? 'egress' : 'ingress';
      return [
        fromBlock(resource.body, direction, '', stack.referenced(resource.body.security_group_id, ['id'])),
      ];
    }
    default:
      return [];
  }
}

function allProtocols(permission: Permission): boolean {
  return permission.protocol === '-1' || permission.protocol === 'all';
}

function isTcp(permission: Permission): boolean {
  return permission.protocol === 'tcp' || permission.protocol === '6';
}

function allPorts(permission: Permission): boolean {
  if (allProtocols(permission)) return true;
  const from = permission.fromPort ?? -1;
  return (
    (isTcp(permission) || permission.protocol === 'udp' || permission.protocol === '17') &&
    from <= 1 &&
    permission.toPort === 65535
  );
}

function coversPort(permission: Permission, port: number): boolean {
  if (allProtocols(permission)) return true;
  if (!isTcp(permission) || permission.fromPort === undefined || permission.toPort === undefined)
    return false;
  return permission.fromPort <= port && port <= permission.toPort;
}

function internetSources(permission: Permission): string[] {
  return permission.sources.filter((source) => INTERNET_V4.includes(source) || INTERNET_V6.includes(source));
}

function subject(permission: Permission): string {
  return permission.where || `${permission.direction} rule`;
}

function describePorts(permission: Permission): string {
  if (allProtocols(permission)) return 'all protocols and ports';
  const range =
    permission.fromPort === permission.toPort
      ? `${permission.fromPort}`
      : `${permission.fromPort}-${permission.toPort}`;
  return `${permission.protocol} ${range}`;
}

/** True when the security group is tagged as a load balancer's (`wms:role = load-balancer` in its own tags). */
export function isLoadBalancerGroup(group: ResourceNode | undefined): boolean {
  const tags = group?.body.tags;
  return isObject(tags) && tags[LOAD_BALANCER_ROLE_TAG] === LOAD_BALANCER_ROLE;
}

const SECURITY_GROUP_TYPES = [
  'aws_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
];

function internetIngressRule(id: string, port: number, service: string): Rule {
  return {
    id,
    title: `No security group allows ingress from 0.0.0.0/0 or ::/0 to port ${port} (${service})`,
    severity: 'critical',
    resourceTypes: [...SECURITY_GROUP_TYPES, 'aws_default_security_group'],
    requirement: `No ingress permission admits TCP ${port} (or all protocols) from 0.0.0.0/0 or ::/0.`,
    fix: `remove the internet source; reach hosts with SSM Session Manager instead of ${service}`,
    check(resource, { stack }) {
      return permissions(resource, stack)
        .filter((permission) => permission.direction === 'ingress' && coversPort(permission, port))
        .flatMap((permission) =>
          internetSources(permission).map((source) => ({
            message: `security group allows ${service} from the internet: ${subject(permission)} opens ${describePorts(permission)} to ${source}`,
          })),
        );
    },
  };
}

/** Security groups and their rules: descriptions, internet ingress and unrestricted egress. */
export const securityGroupRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_23',
    title: 'Every security group and rule has a description',
    severity: 'low',
    resourceTypes: SECURITY_GROUP_TYPES,
    requirement:
      'Security groups, their inline ingress/egress blocks and standalone rule resources have a non-empty `description` saying who talks to whom and why.',
    fix: 'set description to who connects and why, e.g. "HTTPS from the public ALB"',
    check(resource, { stack }) {
      const violations: Violation[] = [];
      if (!isPresent(resource.body.description)) {
        violations.push({
          message: `${resource.type === 'aws_security_group' ? 'security group' : 'security group rule'} has no description: description is missing`,
        });
      }
      if (resource.type === 'aws_security_group') {
        for (const permission of permissions(resource, stack)) {
          if (!isPresent(permission.description))
            violations.push({
              message: `security group rule has no description: ${permission.where}.description is missing`,
            });
        }
      }
      return violations;
    },
  },
  internetIngressRule('CKV_AWS_24', 22, 'SSH'),
  internetIngressRule('CKV_AWS_25', 3389, 'RDP'),
  {
    id: 'CKV_AWS_277',
    title: 'No security group allows ingress from 0.0.0.0/0 or ::/0 to all ports',
    severity: 'critical',
    resourceTypes: [...SECURITY_GROUP_TYPES, 'aws_default_security_group'],
    requirement: 'No ingress permission admits all protocols, or all TCP/UDP ports, from 0.0.0.0/0 or ::/0.',
    fix: 'allow only the ports the service listens on, from the sources that need them',
    check(resource, { stack }) {
      return permissions(resource, stack)
        .filter((permission) => permission.direction === 'ingress' && allPorts(permission))
        .flatMap((permission) =>
          internetSources(permission).map((source) => ({
            message: `security group allows all traffic from the internet: ${subject(permission)} opens ${describePorts(permission)} to ${source}`,
          })),
        );
    },
  },
  {
    id: 'WMS_SG_001',
    title: 'Internet ingress only to load balancers, and only on ports 80 and 443',
    severity: 'high',
    resourceTypes: [...SECURITY_GROUP_TYPES, 'aws_default_security_group'],
    requirement: `An ingress permission from 0.0.0.0/0 or ::/0 is TCP 80 or TCP 443 exactly, on a security group tagged \`${LOAD_BALANCER_ROLE_TAG} = ${LOAD_BALANCER_ROLE}\` (in its own \`tags\`); standalone rules are matched to their group through \`security_group_id\`. All-port permissions are reported by CKV_AWS_277 instead.`,
    fix: `put public traffic through a load balancer whose security group is tagged ${LOAD_BALANCER_ROLE_TAG} = ${LOAD_BALANCER_ROLE}, on 443 (and 80 for redirects)`,
    check(resource, { stack }) {
      return permissions(resource, stack)
        .filter((permission) => permission.direction === 'ingress' && !allPorts(permission))
        .flatMap((permission) => {
          const sources = internetSources(permission);
          if (sources.length === 0) return [];
          const webPort =
            isTcp(permission) &&
            permission.fromPort === permission.toPort &&
            PUBLIC_WEB_PORTS.includes(permission.fromPort ?? -1);
          const loadBalancer = isLoadBalancerGroup(permission.group);
          if (webPort && loadBalancer) return [];
          const why = !webPort
            ? `${describePorts(permission)} is not TCP 80 or 443`
            : `the security group ${permission.group ? permission.group.address : `${String(resource.body.security_group_id)} (unresolved)`} is not tagged ${LOAD_BALANCER_ROLE_TAG} = ${LOAD_BALANCER_ROLE}`;
          return [
            {
              message: `security group allows internet ingress: ${subject(permission)} opens ${describePorts(permission)} to ${sources.join(', ')}, but ${why}`,
            },
          ];
        });
    },
  },
  {
    id: 'CKV_AWS_382',
    title: 'No security group allows egress to 0.0.0.0/0 or ::/0 on all ports',
    severity: 'medium',
    resourceTypes: [...SECURITY_GROUP_TYPES, 'aws_default_security_group'],
    requirement:
      'Egress is limited to the ports and destinations a workload needs; an allow-all egress to the internet needs a suppression with the reason (e.g. EKS nodes pulling images through NAT).',
    fix: 'limit egress to the needed ports and destinations, or suppress CKV_AWS_382 with the reason the workload needs it',
    check(resource, { stack }) {
      return permissions(resource, stack)
        .filter((permission) => permission.direction === 'egress' && allPorts(permission))
        .flatMap((permission) =>
          internetSources(permission).map((source) => ({
            message: `security group allows all egress to the internet: ${subject(permission)} opens ${describePorts(permission)} to ${source}`,
          })),
        );
    },
  },
];
