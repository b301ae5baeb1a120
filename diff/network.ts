/**
 * Network widening: security group rules, network ACL entries and Kubernetes NetworkPolicy rules that allow
 * traffic the base did not allow.
 *
 * Every rule is flattened into permits (direction, protocol, port range, one peer). A permit of a changed
 * resource is widening when no permit of the base, attached to the same security group / network ACL / set of
 * selected pods, covers it: same direction, a protocol and port range at least as wide, and a peer that contains
 * it (CIDR containment; other peers by equality). Comparing per attachment, not per resource, means that moving
 * a rule between resources is not reported. Network ACL rule order is not modelled: a removed or narrowed deny
 * entry is reported on its own.
 */
import { blockSize, parseCidr } from '../shared/cidr';
import { parseReference } from '../model/stack-model';
import type { JsonObject } from '../model/values';
import { blocks, isObject } from '../model/values';
import { canonical } from './attributes';
import type { EntryChange, RiskFinding, Severity, StackDiff } from './model';

type Direction = 'ingress' | 'egress';

interface Permit {
  readonly address: string;
  readonly constructPath?: string;
  /** The security group, network ACL or pod selection the rule belongs to. */
  readonly attachment: string;
  readonly direction: Direction;
  /** `all`, or a lower-case protocol name (`tcp`), or `tcp:http` for a named Kubernetes port. */
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** A CIDR, `sg:<id>`, `pl:<id>`, `self`, a Kubernetes selector, or `*` (any peer). */
  readonly peer: string;
  readonly deny: boolean;
  readonly kind: 'aws' | 'kubernetes';
}

const ALL_PORTS = { fromPort: 0, toPort: 65535 };
const INTERNET = new Set(['0.0.0.0/0', '::/0', '*']);
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '-1': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
};

function protocolOf(value: unknown): string {
  const text = String(value ?? 'all').toLowerCase();
  return PROTOCOL_NAMES[text] ?? text;
}

function portsOf(protocol: string, from: unknown, to: unknown): { fromPort: number; toPort: number } {
  if (protocol === 'all' || from === undefined || from === null) return ALL_PORTS;
  const fromPort = Number(from);
  const toPort = to === undefined || to === null ? fromPort : Number(to);
  // -1 means "all" for ICMP types and in some SG rule forms.
  if (Number.isNaN(fromPort) || Number.isNaN(toPort) || fromPort < 0 || toPort < 0) return ALL_PORTS;
  return { fromPort, toPort };
}

function attachmentOf(value: unknown): string {
  return parseReference(value)?.address ?? String(value);
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** The peers of an AWS rule block, each as one string. */
function awsPeers(rule: JsonObject): string[] {
  return [
    ...strings(rule.cidr_ipv4),
    ...strings(rule.cidr_ipv6),
    ...strings(rule.cidr_blocks),
    ...strings(rule.ipv6_cidr_blocks),
    ...strings(rule.cidr_block),
    ...strings(rule.ipv6_cidr_block),
    ...strings(rule.referenced_security_group_id).map((id) => `sg:${id}`),
    ...strings(rule.source_security_group_id).map((id) => `sg:${id}`),
    ...strings(rule.security_groups).map((id) => `sg:${id}`),
    ...strings(rule.prefix_list_id).map((id) => `pl:${id}`),
    ...strings(rule.prefix_list_ids).map((id) => `pl:${id}`),
    ...(rule.self === true ? ['self'] : []),
  ];
}

function awsPermits(
  base: Pick<Permit, 'address' | 'constructPath' | 'attachment' | 'direction'>,
  rule: JsonObject,
  protocolKey: string,
  deny: boolean,
): Permit[] {
  const protocol = protocolOf(rule[protocolKey]);
  const ports = portsOf(protocol, rule.from_port, rule.to_port);
  return awsPeers(rule).map((peer) => ({ ...base, ...ports, protocol, peer, deny, kind: 'aws' }));
}

function kubernetesPorts(rule: JsonObject): { protocol: string; fromPort: number; toPort: number }[] {
  const ports = blocks(rule.ports);
  if (ports.length === 0) return [{ protocol: 'all', ...ALL_PORTS }];
  return ports.map((port) => {
    const protocol = String(port.protocol ?? 'TCP').toLowerCase();
    const number = Number(port.port);
    if (port.port === undefined || port.port === null) return { protocol, ...ALL_PORTS };
    if (Number.isNaN(number)) return { protocol: `${protocol}:${String(port.port)}`, fromPort: 0, toPort: 0 };
    const end = port.end_port === undefined || port.end_port === null ? number : Number(port.end_port);
    return { protocol, fromPort: number, toPort: end };
  });
}

function kubernetesPeers(rule: JsonObject, key: 'from' | 'to'): string[] {
  const peers = blocks(rule[key]);
  if (peers.length === 0) return ['*'];
  return peers.map((peer) => {
    const ipBlock = isObject(peer.ip_block) ? peer.ip_block : blocks(peer.ip_block)[0];
    if (ipBlock && typeof ipBlock.cidr === 'string') return ipBlock.cidr;
    return `selector:${canonical(peer)}`;
  });
}

/** Flattens the rules of one resource into permits. */
function permitsOf(address: string, type: string, body: JsonObject, constructPath?: string): Permit[] {
  const base = { address, constructPath };
  switch (type) {
    case 'aws_vpc_security_group_ingress_rule':
    case 'aws_vpc_security_group_egress_rule':
      return awsPermits(
        {
          ...base,
          attachment: attachmentOf(body.security_group_id),
          direction: type.endsWith('ingress_rule') ? 'ingress' : 'egress',
        },
        body,
        'ip_protocol',
        false,
      );
    case 'aws_security_group_rule':
      return awsPermits(
        {
          ...base,
          attachment: attachmentOf(body.security_group_id),
          direction: body.type === 'egress' ? 'egress' : 'ingress',
        },
        body,
        'protocol',
        false,
      );
    case 'aws_security_group':
    case 'aws_default_security_group':
    case 'aws_network_acl':
    case 'aws_default_network_acl': {
      const isAcl = type.endsWith('network_acl');
      return (['ingress', 'egress'] as const).flatMap((direction) =>
        blocks(body[direction]).flatMap((rule) =>
          awsPermits(
            { ...base, attachment: address, direction },
            rule,
            'protocol',
            isAcl && rule.action === 'deny',
          ),
        ),
      );
    }
    case 'aws_network_acl_rule':
      return awsPermits(
        {
          ...base,
          attachment: attachmentOf(body.network_acl_id),
          direction: body.egress === true || body.egress === 'true' ? 'egress' : 'ingress',
        },
        body,
        'protocol',
        body.rule_action === 'deny',
      );
    case 'kubernetes_network_policy_v1':
    case 'kubernetes_network_policy': {
      const metadata = isObject(body.metadata) ? body.metadata : blocks(body.metadata)[0];
      const spec = isObject(body.spec) ? body.spec : blocks(body.spec)[0];
      if (!spec) return [];
      const attachment = `pods:${canonical(metadata?.namespace)}:${canonical(spec.pod_selector)}`;
      return (['ingress', 'egress'] as const).flatMap((direction) =>
        blocks(spec[direction]).flatMap((rule) =>
          kubernetesPorts(rule).flatMap((ports) =>
            kubernetesPeers(rule, direction === 'ingress' ? 'from' : 'to').map((peer): Permit => ({
              ...base,
              attachment,
              direction,
              ...ports,
              peer,
              deny: false,
              kind: 'kubernetes',
            })),
          ),
        ),
      );
    }
    default:
      return [];
  }
}

function ipv4Contains(outer: string, inner: string): boolean | undefined {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b) return undefined;
  return a.prefix <= b.prefix && b.base >= a.base && b.base < a.base + blockSize(a.prefix);
}

function peerCovers(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  if (outer === '::/0' && inner.includes(':') && inner.includes('/')) return true;
  return ipv4Contains(outer, inner) === true;
}

function covers(outer: Permit, inner: Permit): boolean {
  return (
    outer.direction === inner.direction &&
    outer.deny === inner.deny &&
    (outer.protocol === 'all' || outer.protocol === inner.protocol) &&
    outer.fromPort <= inner.fromPort &&
    outer.toPort >= inner.toPort &&
    peerCovers(outer.peer, inner.peer)
  );
}

/** A permit for people: `tcp 5432 from 10.0.0.0/16`. */
function describe(permit: Permit): string {
  const ports =
    permit.protocol === 'all'
      ? 'all traffic'
      : permit.fromPort === 0 && permit.toPort === 65535
        ? `${permit.protocol} all ports`
        : permit.fromPort === permit.toPort
          ? `${permit.protocol} ${permit.fromPort}`
          : `${permit.protocol} ${permit.fromPort}-${permit.toPort}`;
  const peer = permit.peer === '*' ? 'any peer' : permit.peer;
  return `${permit.deny ? 'deny ' : ''}${ports} ${permit.direction === 'ingress' ? 'from' : 'to'} ${peer}`;
}

function severityOf(permit: Permit): Severity {
  const internet = INTERNET.has(permit.peer);
  if (permit.kind === 'kubernetes') return permit.direction === 'ingress' && internet ? 'high' : 'medium';
  if (permit.direction === 'egress') return 'medium';
  return internet ? 'critical' : 'high';
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

function permitsOfStack(
  changes: readonly EntryChange[],
  side: 'before' | 'after',
  json: JsonObject | undefined,
) {
  const permits: Permit[] = [];
  const resources = isObject(json?.resource) ? json.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (isObject(body)) permits.push(...permitsOf(`${type}.${name}`, type, body));
    }
  }
  const changed = new Map(changes.filter((c) => c[side]).map((c) => [c.address, c]));
  return {
    all: permits,
    changed: [...changed.values()].flatMap((c) =>
      permitsOf(c.address, c.type, c[side] ?? {}, c.constructPath),
    ),
  };
}

function summarize(permits: readonly Permit[]): string {
  return permits.map(describe).join('; ');
}

/** Findings for network rules that allow more than the base allowed. */
export function networkFindings(
  diff: StackDiff,
  before: JsonObject | undefined,
  after: JsonObject | undefined,
): RiskFinding[] {
  const changes = diff.changes.filter((c) => c.kind === 'resource');
  const base = permitsOfStack(changes, 'before', before);
  const head = permitsOfStack(changes, 'after', after);
  const findings: RiskFinding[] = [];
  const group = new Map<string, { permits: Permit[]; message: string; related: Permit[] }>();
  const add = (permit: Permit, message: string, related: Permit[]) => {
    const key = `${permit.address}\u0000${permit.direction}\u0000${message}`;
    const entry = group.get(key) ?? { permits: [], message, related };
    entry.permits.push(permit);
    group.set(key, entry);
  };

  for (const permit of head.changed.filter((p) => !p.deny)) {
    const sameAttachment = base.all.filter(
      (p) => p.attachment === permit.attachment && p.direction === permit.direction && !p.deny,
    );
    // A NetworkPolicy for pods no base policy selected restricts them; only added rules on selected pods widen.
    if (permit.kind === 'kubernetes' && !base.all.some((p) => p.attachment === permit.attachment)) continue;
    if (sameAttachment.some((p) => covers(p, permit))) continue;
    add(permit, `${permit.direction} widened`, sameAttachment);
  }
  for (const permit of base.changed.filter((p) => p.deny)) {
    if (head.all.some((p) => p.attachment === permit.attachment && covers(p, permit))) continue;
    add(permit, `network ACL ${permit.direction} deny entry removed or narrowed`, []);
  }

  for (const { permits, message, related } of group.values()) {
    const first = permits[0];
    const change = changes.find((c) => c.address === first.address);
    const deny = message.includes('deny');
    const severity = deny
      ? first.direction === 'ingress'
        ? 'high'
        : 'medium'
      : permits.map(severityOf).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0];
    findings.push({
      severity,
      category: 'network-widened',
      stack: diff.stack,
      address: first.address,
      constructPath: change?.constructPath ?? first.constructPath,
      message: `${message}: ${summarize(permits)}${deny || first.kind === 'kubernetes' ? '' : ` (on ${first.attachment})`}`,
      before: deny ? summarize(permits) : related.length > 0 ? summarize(related) : '(no such rule)',
      after: deny ? '(no such entry)' : summarize(permits),
    });
  }

  for (const change of changes) {
    if (!change.type.startsWith('kubernetes_network_policy')) continue;
    if (change.action === 'delete') {
      findings.push({
        severity: 'high',
        category: 'network-widened',
        stack: diff.stack,
        address: change.address,
        constructPath: change.constructPath,
        message: 'NetworkPolicy removed: the pods it selected lose its restrictions',
      });
      continue;
    }
    const typesBefore = policyTypes(change.before);
    const typesAfter = policyTypes(change.after);
    for (const dropped of typesBefore.filter((type) => !typesAfter.includes(type))) {
      findings.push({
        severity: 'high',
        category: 'network-widened',
        stack: diff.stack,
        address: change.address,
        constructPath: change.constructPath,
        message: `NetworkPolicy no longer restricts ${dropped} traffic (policy_types)`,
        before: typesBefore.join(', '),
        after: typesAfter.join(', ') || '(none)',
      });
    }
  }
  return findings;
}

/** The effective policy types of a NetworkPolicy body: Ingress by default, Egress when it has egress rules. */
function policyTypes(body: JsonObject | undefined): string[] {
  if (!body) return [];
  const spec = isObject(body.spec) ? body.spec : blocks(body.spec)[0];
  if (!spec) return [];
  if (Array.isArray(spec.policy_types)) return spec.policy_types.map(String);
  return ['Ingress', ...(blocks(spec.egress).length > 0 ? ['Egress'] : [])];
}
