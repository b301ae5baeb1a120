import type { ResourceNode } from '../../model/stack-model';
import type { Rule } from '../types';
import { blockAt, blocks, boolAttr, stringAttr } from '../../model/values';
import { fail, PASS, requireBool } from './helpers';

const LB_TYPES = ['aws_lb', 'aws_alb'];
const LISTENER_TYPES = ['aws_lb_listener', 'aws_alb_listener'];
const TLS12_POLICY_PREFIXES = [
  'ELBSecurityPolicy-TLS13',
  'ELBSecurityPolicy-TLS-1-2',
  'ELBSecurityPolicy-FS-1-2',
];

function isApplication(lb: ResourceNode): boolean {
  const type = stringAttr(lb.body.load_balancer_type);
  return type.kind !== 'known' || type.value === 'application';
}

function isInternal(lb: ResourceNode): boolean {
  const internal = boolAttr(lb.body.internal);
  return internal.kind === 'known' && internal.value;
}

function redirectsToHttps(listener: ResourceNode): boolean {
  return blocks(listener.body.default_action).some(
    (action) => action.type === 'redirect' && blockAt(action.redirect)?.protocol === 'HTTPS',
  );
}

/** Application and network load balancers and their listeners. */
export const loadBalancerRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_131',
    title: 'Application load balancers drop invalid HTTP headers',
    severity: 'medium',
    resourceTypes: LB_TYPES,
    requirement: '`drop_invalid_header_fields` is true on application load balancers.',
    fix: 'set drop_invalid_header_fields = true',
    check(lb) {
      return isApplication(lb)
        ? requireBool(
            lb.body,
            'drop_invalid_header_fields',
            true,
            'load balancer forwards invalid headers',
            false,
          )
        : PASS;
    },
  },
  {
    id: 'CKV_AWS_91',
    title: 'Load balancers have access logging enabled',
    severity: 'medium',
    resourceTypes: LB_TYPES,
    requirement: '`access_logs.enabled` is true with a bucket.',
    fix: 'set access_logs { bucket = <log bucket>, enabled = true }',
    check(lb) {
      const logs = blockAt(lb.body.access_logs);
      if (!logs) return fail('load balancer has no access logs: access_logs is missing');
      return requireBool(logs, 'enabled', true, 'load balancer has no access logs', false).map(
        (violation) => ({
          message: violation.message.replace(': ', ': access_logs.'),
        }),
      );
    },
  },
  {
    id: 'CKV_AWS_150',
    title: 'Production load balancers have deletion protection enabled',
    severity: 'medium',
    productionOnly: true,
    resourceTypes: LB_TYPES,
    requirement: '`enable_deletion_protection` is true in production.',
    fix: 'set enable_deletion_protection = true',
    check(lb) {
      return requireBool(lb.body, 'enable_deletion_protection', true, 'load balancer can be deleted', false);
    },
  },
  {
    id: 'CKV2_AWS_28',
    title: 'Public application load balancers are protected by WAF',
    severity: 'medium',
    productionOnly: true,
    resourceTypes: LB_TYPES,
    requirement:
      'An internet-facing application load balancer has an `aws_wafv2_web_acl_association` whose `resource_arn` references it.',
    fix: 'associate an aws_wafv2_web_acl (AWS managed rule groups) with the load balancer',
    check(lb, { stack }) {
      if (!isApplication(lb) || isInternal(lb)) return PASS;
      return stack.referrers(lb, 'aws_wafv2_web_acl_association', 'resource_arn', ['arn', 'id']).length > 0
        ? PASS
        : fail(
            `public load balancer has no WAF: no aws_wafv2_web_acl_association has resource_arn = \${${lb.address}.arn}`,
          );
    },
  },
  {
    id: 'CKV_AWS_2',
    title: 'Load balancer listeners use HTTPS (HTTP only to redirect)',
    severity: 'high',
    resourceTypes: LISTENER_TYPES,
    requirement: '`protocol` is HTTPS, TLS, TCP, UDP or TCP_UDP; an HTTP listener only redirects to HTTPS.',
    fix: 'use protocol = "HTTPS" with a certificate, or make the HTTP listener a redirect { protocol = "HTTPS", status_code = "HTTP_301" }',
    check(listener) {
      const protocol = stringAttr(listener.body.protocol);
      if (protocol.kind === 'unresolved') return PASS;
      if (protocol.kind === 'known' && protocol.value !== 'HTTP') return PASS;
      if (redirectsToHttps(listener)) return PASS;
      const found = protocol.kind === 'missing' ? 'missing (HTTP for application load balancers)' : '"HTTP"';
      return fail(
        `listener serves plain HTTP: protocol is ${found} and default_action does not redirect to HTTPS`,
      );
    },
  },
  {
    id: 'CKV_AWS_103',
    title: 'Load balancer listeners use at least TLS 1.2',
    severity: 'high',
    resourceTypes: LISTENER_TYPES,
    requirement: `HTTPS/TLS listeners set \`ssl_policy\` to a TLS 1.2+ policy (${TLS12_POLICY_PREFIXES.map((prefix) => `\`${prefix}*\``).join(', ')}).`,
    fix: 'set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
    check(listener) {
      const protocol = stringAttr(listener.body.protocol);
      if (protocol.kind !== 'known' || !['HTTPS', 'TLS'].includes(protocol.value)) return PASS;
      const policy = stringAttr(listener.body.ssl_policy);
      if (policy.kind === 'unresolved') return PASS;
      if (policy.kind === 'known' && TLS12_POLICY_PREFIXES.some((prefix) => policy.value.startsWith(prefix)))
        return PASS;
      const found =
        policy.kind === 'missing'
          ? 'missing (the default ELBSecurityPolicy-2016-08 allows TLS 1.0)'
          : `"${policy.value}"`;
      return fail(`listener accepts old TLS versions: ssl_policy is ${found}`);
    },
  },
];
