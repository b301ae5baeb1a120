import type { ResourceNode } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import { blockAt, blocks, isPresent, stringAttr } from '../../model/values';
import { fail, PASS } from './helpers';

const DISTRIBUTION = ['aws_cloudfront_distribution'];

/** The cache behaviours of a distribution: the default one, then the ordered ones, with a label for messages. */
function behaviours(distribution: ResourceNode): { label: string; body: Record<string, unknown> }[] {
  const first = blockAt(distribution.body.default_cache_behavior);
  return [
    ...(first ? [{ label: 'default_cache_behavior', body: first }] : []),
    ...blocks(distribution.body.ordered_cache_behavior).map((body, index) => ({
      label: `ordered_cache_behavior[${index}]`,
      body,
    })),
  ];
}

/** CloudFront distributions: TLS to viewers and origins, HTTPS only, WAF, access logs. */
export const cloudfrontRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_174',
    title: 'CloudFront distributions require TLS 1.2 or later from viewers',
    severity: 'high',
    resourceTypes: DISTRIBUTION,
    requirement:
      '`viewer_certificate` names an ACM certificate (not the default `*.cloudfront.net` one, which allows TLSv1) ' +
      'with `minimum_protocol_version` TLSv1.2_2019 or later.',
    fix: 'set viewer_certificate { acm_certificate_arn = ..., ssl_support_method = "sni-only", minimum_protocol_version = "TLSv1.2_2021" }',
    check(distribution) {
      const certificate = blockAt(distribution.body.viewer_certificate);
      if (!certificate) return fail('distribution has no viewer_certificate');
      const version = stringAttr(certificate.minimum_protocol_version);
      if (version.kind === 'unresolved') return PASS;
      if (version.kind === 'missing') {
        return fail(
          'distribution accepts TLSv1: viewer_certificate.minimum_protocol_version is missing (the provider default is TLSv1)',
        );
      }
      return /^TLSv1\.(2_(2019|2021|2025)|3_\d{4})$/.test(version.value)
        ? PASS
        : fail(
            `distribution accepts old TLS: viewer_certificate.minimum_protocol_version is "${version.value}", must be TLSv1.2_2019 or later`,
          );
    },
  },
  {
    id: 'CKV_AWS_34',
    title: 'CloudFront distributions serve viewers over HTTPS only',
    severity: 'high',
    resourceTypes: DISTRIBUTION,
    requirement: 'Every cache behaviour has `viewer_protocol_policy` `redirect-to-https` or `https-only`.',
    fix: 'set viewer_protocol_policy = "redirect-to-https" in every cache behaviour',
    check(distribution) {
      return behaviours(distribution).flatMap(({ label, body }): Violation[] => {
        const policy = stringAttr(body.viewer_protocol_policy);
        if (policy.kind === 'unresolved') return [];
        if (policy.kind === 'known' && ['redirect-to-https', 'https-only'].includes(policy.value)) return [];
        const found = policy.kind === 'missing' ? 'missing' : `"${policy.value}"`;
        return fail(`distribution serves plain HTTP: ${label}.viewer_protocol_policy is ${found}`);
      });
    },
  },
  {
    id: 'CKV_AWS_68',
    title: 'CloudFront distributions are protected by WAF',
    severity: 'medium',
    resourceTypes: DISTRIBUTION,
    requirement: '`web_acl_id` names a CLOUDFRONT-scope WAFv2 web ACL (its ARN).',
    fix: 'create an aws_wafv2_web_acl with scope = "CLOUDFRONT" in us-east-1 and set web_acl_id = its arn',
    check(distribution) {
      return isPresent(distribution.body.web_acl_id)
        ? PASS
        : fail('distribution has no WAF: web_acl_id is missing');
    },
  },
  {
    id: 'CKV_AWS_86',
    title: 'CloudFront distributions have access logging enabled',
    severity: 'medium',
    resourceTypes: DISTRIBUTION,
    requirement:
      'Standard logging: a legacy `logging_config` block with a bucket, or (v2) an `aws_cloudwatch_log_delivery_source` ' +
      'whose `resource_arn` references the distribution.',
    fix: 'add an aws_cloudwatch_log_delivery_source (log_type ACCESS_LOGS, resource_arn = the distribution arn) with its destination and delivery',
    check(distribution, { stack }) {
      if (isPresent(blockAt(distribution.body.logging_config)?.bucket)) return PASS;
      return stack.referrers(distribution, 'aws_cloudwatch_log_delivery_source', 'resource_arn', ['arn'])
        .length > 0
        ? PASS
        : fail(
            `distribution has no access logs: no logging_config and no aws_cloudwatch_log_delivery_source has resource_arn = \${${distribution.address}.arn}`,
          );
    },
  },
  {
    id: 'WMS_CDN_001',
    title: 'CloudFront reaches custom origins over HTTPS with TLS 1.2 only',
    severity: 'high',
    resourceTypes: DISTRIBUTION,
    requirement:
      'Every `origin` with a `custom_origin_config` has `origin_protocol_policy` `https-only` and ' +
      '`origin_ssl_protocols` `["TLSv1.2"]` (no SSLv3, TLSv1, TLSv1.1).',
    fix: 'set custom_origin_config { origin_protocol_policy = "https-only", origin_ssl_protocols = ["TLSv1.2"] }',
    check(distribution) {
      return blocks(distribution.body.origin).flatMap((origin, index): Violation[] => {
        const custom = blockAt(origin.custom_origin_config);
        if (!custom) return [];
        const problems: Violation[] = [];
        const policy = stringAttr(custom.origin_protocol_policy);
        if (policy.kind !== 'unresolved' && !(policy.kind === 'known' && policy.value === 'https-only')) {
          const found = policy.kind === 'missing' ? 'missing' : `"${policy.value}"`;
          problems.push(
            ...fail(
              `origin[${index}] may be reached over HTTP: origin_protocol_policy is ${found}, must be "https-only"`,
            ),
          );
        }
        const protocols = custom.origin_ssl_protocols;
        if (Array.isArray(protocols) && protocols.some((protocol) => protocol !== 'TLSv1.2')) {
          problems.push(
            ...fail(
              `origin[${index}] allows old TLS: origin_ssl_protocols is ${JSON.stringify(protocols)}, must be ["TLSv1.2"]`,
            ),
          );
        } else if (protocols === undefined) {
          problems.push(...fail(`origin[${index}]: origin_ssl_protocols is missing, must be ["TLSv1.2"]`));
        }
        return problems;
      });
    },
  },
];
