import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ContentDeliveryProps } from '../../../constructs/network/content-delivery';
import { ContentDelivery, MANAGED_POLICY_IDS } from '../../../constructs/network/content-delivery';
import { MANAGED_RULE_GROUPS } from '../../../constructs/network/private/web-acl';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

type Row = Record<string, unknown>;
type Props = Omit<ContentDeliveryProps, 'usEast1'>;

const BASE: Props = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  domainName: 'test.wms.example.com',
  originDomainName: 'origin.test.wms.example.com',
  zoneId: 'Z0123',
  rateLimitPer5Minutes: 2000,
  accessLogs: { bucketArn: 'arn:aws:s3:::wms-test-alb-logs', prefix: 'cdn' },
};

function build(overrides: Partial<Props> = {}) {
  const stack = awsTestStack();
  const usEast1 = new AwsProvider(stack, 'AwsUsEast1', { alias: 'us_east_1', region: 'us-east-1' });
  const cdn = new ContentDelivery(stack, 'Cdn', { ...BASE, ...overrides, usEast1 });
  return { stack, cdn, json: synthJson(stack) };
}

const US_EAST_1 = 'aws.us_east_1';

describe('ContentDelivery', () => {
  describe('defaults', () => {
    const { stack, json } = build();
    const [distribution] = listOfType(json, 'aws_cloudfront_distribution');

    it('serves the domain over HTTPS only: HTTP redirected, TLSv1.2_2021 minimum, SNI, HTTP/2 and 3, IPv6', () => {
      expect(distribution).toMatchObject({
        enabled: true,
        aliases: ['test.wms.example.com'],
        http_version: 'http2and3',
        is_ipv6_enabled: true,
        viewer_certificate: {
          ssl_support_method: 'sni-only',
          minimum_protocol_version: 'TLSv1.2_2021',
          acm_certificate_arn: expect.stringMatching(
            /^\$\{aws_acm_certificate_validation\..*\.certificate_arn\}$/,
          ),
        },
        default_cache_behavior: { viewer_protocol_policy: 'redirect-to-https' },
      });
    });

    it('defaults to PriceClass_100 (North America, Europe, Israel)', () => {
      expect(distribution.price_class).toBe('PriceClass_100');
    });

    it('takes its viewer certificate from us-east-1, DNS-validated in the zone', () => {
      expect(listOfType(json, 'aws_acm_certificate')).toEqual([
        expect.objectContaining({
          provider: US_EAST_1,
          domain_name: 'test.wms.example.com',
          validation_method: 'DNS',
        }),
      ]);
      expect(listOfType(json, 'aws_acm_certificate_validation')).toEqual([
        expect.objectContaining({ provider: US_EAST_1 }),
      ]);
      expect(listOfType(json, 'aws_route53_record')).toEqual([
        expect.objectContaining({ zone_id: 'Z0123', allow_overwrite: true }),
      ]);
    });

    it('reaches the load balancer at the origin host over HTTPS only, TLSv1.2', () => {
      expect(distribution.origin).toEqual([
        expect.objectContaining({
          domain_name: 'origin.test.wms.example.com',
          custom_origin_config: expect.objectContaining({
            origin_protocol_policy: 'https-only',
            origin_ssl_protocols: ['TLSv1.2'],
          }),
        }),
      ]);
    });

    it('caches the static front end with its own policy: 0 / 86400 / 31536000 s, compressed, no cookies, headers or query strings', () => {
      const [policy] = listOfType(json, 'aws_cloudfront_cache_policy');
      expect(policy).toMatchObject({
        name: 'wms-test-cdn-static',
        min_ttl: 0,
        default_ttl: 86400,
        max_ttl: 31536000,
        parameters_in_cache_key_and_forwarded_to_origin: {
          cookies_config: { cookie_behavior: 'none' },
          headers_config: { header_behavior: 'none' },
          query_strings_config: { query_string_behavior: 'none' },
          enable_accept_encoding_brotli: true,
          enable_accept_encoding_gzip: true,
        },
      });
      expect(distribution.default_cache_behavior).toMatchObject({
        allowed_methods: ['GET', 'HEAD', 'OPTIONS'],
        cached_methods: ['GET', 'HEAD'],
        compress: true,
        cache_policy_id: expect.stringMatching(/^\$\{aws_cloudfront_cache_policy\..*\.id\}$/),
      });
    });

    it('passes /api and /api/* uncached (AWS managed CachingDisabled, AllViewerExceptHostHeader) with every method', () => {
      const behaviours = distribution.ordered_cache_behavior as Row[];
      expect(behaviours.map((b) => b.path_pattern)).toEqual(['/api', '/api/*']);
      for (const behaviour of behaviours) {
        expect(behaviour).toMatchObject({
          cache_policy_id: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          origin_request_policy_id: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
          allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
          viewer_protocol_policy: 'redirect-to-https',
        });
      }
      expect(MANAGED_POLICY_IDS.cachingDisabled).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    });

    it('adds security headers to every response: HSTS 2 years with subdomains, nosniff, DENY frames, referrer policy', () => {
      const [policy] = listOfType(json, 'aws_cloudfront_response_headers_policy');
      expect(policy.security_headers_config).toEqual({
        strict_transport_security: {
          access_control_max_age_sec: 63072000,
          include_subdomains: true,
          override: true,
        },
        content_type_options: { override: true },
        frame_options: { frame_option: 'DENY', override: true },
        referrer_policy: { referrer_policy: 'strict-origin-when-cross-origin', override: true },
      });
      const behaviours = [
        distribution.default_cache_behavior,
        ...(distribution.ordered_cache_behavior as Row[]),
      ];
      expect(
        behaviours.every((b) =>
          /aws_cloudfront_response_headers_policy/.test(String((b as Row).response_headers_policy_id)),
        ),
      ).toBe(true);
    });

    it('attaches a CLOUDFRONT web ACL created in us-east-1: per-IP rate rule, then the AWS managed rule groups', () => {
      const [acl] = listOfType(json, 'aws_wafv2_web_acl');
      expect(acl).toMatchObject({ scope: 'CLOUDFRONT', provider: US_EAST_1, name: 'wms-test-cdn' });
      expect((acl.rule as Row[]).map((r) => r.name)).toEqual(['rate-limit-per-ip', ...MANAGED_RULE_GROUPS]);
      expect(distribution.web_acl_id).toMatch(/^\$\{aws_wafv2_web_acl\..*\.arn\}$/);
    });

    it('logs the web ACL to a KMS-encrypted aws-waf-logs- group in us-east-1, kept 365 days', () => {
      const [group] = listOfType(json, 'aws_cloudwatch_log_group');
      expect(group).toMatchObject({
        provider: US_EAST_1,
        name: 'aws-waf-logs-wms-test-cdn',
        retention_in_days: 365,
        kms_key_id: expect.stringMatching(/aws_kms_key/),
      });
      const [key] = listOfType(json, 'aws_kms_key');
      expect(key.provider).toBe(US_EAST_1);
      expect(JSON.stringify(JSON.parse(key.policy as string))).toContain('logs.us-east-1.amazonaws.com');
      expect(listOfType(json, 'aws_wafv2_web_acl_logging_configuration')).toEqual([
        expect.objectContaining({ provider: US_EAST_1 }),
      ]);
    });

    it('delivers access logs (standard logging v2, JSON) to the bucket prefix, configured in us-east-1', () => {
      expect(listOfType(json, 'aws_cloudwatch_log_delivery_source')).toEqual([
        expect.objectContaining({
          provider: US_EAST_1,
          log_type: 'ACCESS_LOGS',
          name: 'wms-test-cdn-access',
        }),
      ]);
      expect(listOfType(json, 'aws_cloudwatch_log_delivery_destination')).toEqual([
        expect.objectContaining({
          provider: US_EAST_1,
          output_format: 'json',
          delivery_destination_configuration: [
            { destination_resource_arn: 'arn:aws:s3:::wms-test-alb-logs/cdn' },
          ],
        }),
      ]);
      expect(listOfType(json, 'aws_cloudwatch_log_delivery')).toHaveLength(1);
      expect(distribution.logging_config).toBeUndefined();
    });

    it('does not take the domain over by default: no alias records (external-dns still owns the name)', () => {
      const aliases = listOfType(json, 'aws_route53_record').filter((r) => r.alias !== undefined);
      expect(aliases).toEqual([]);
    });

    it('passes the guardrails without suppressions (tags come from the stack providers default_tags)', () => {
      const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
      expect(result.findings.filter((f) => f.ruleId !== 'WMS_TAG_001')).toEqual([]);
      expect(result.suppressed).toEqual([]);
    });
  });

  it('GIVEN servesDomain THEN the domain is an alias A and AAAA to the distribution, overwriting external-dns records', () => {
    const { json } = build({ servesDomain: true });
    const aliases = listOfType(json, 'aws_route53_record').filter((r) => r.alias !== undefined);
    expect(aliases.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
    for (const record of aliases) {
      expect(record).toMatchObject({
        zone_id: 'Z0123',
        name: 'test.wms.example.com',
        allow_overwrite: true,
        alias: {
          name: expect.stringMatching(/aws_cloudfront_distribution\..*\.domain_name/),
          zone_id: expect.stringMatching(/aws_cloudfront_distribution\..*\.hosted_zone_id/),
          evaluate_target_health: false,
        },
      });
    }
  });

  it('GIVEN a price class, TTLs and patterns from config THEN they are used', () => {
    const { json } = build({
      priceClass: 'PriceClass_All',
      staticMinTtlSeconds: 60,
      staticDefaultTtlSeconds: 600,
      staticMaxTtlSeconds: 3600,
      uncachedPathPatterns: ['/api/*', '/auth/*'],
    });
    const [distribution] = listOfType(json, 'aws_cloudfront_distribution');
    expect(distribution.price_class).toBe('PriceClass_All');
    expect((distribution.ordered_cache_behavior as Row[]).map((b) => b.path_pattern)).toEqual([
      '/api/*',
      '/auth/*',
    ]);
    expect(listOfType(json, 'aws_cloudfront_cache_policy')[0]).toMatchObject({
      min_ttl: 60,
      default_ttl: 600,
      max_ttl: 3600,
    });
  });

  it('GIVEN warehouses THEN their rate rules and IP sets are CLOUDFRONT-scoped in us-east-1', () => {
    const { json } = build({
      warehouses: [{ name: 'lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 300 }],
    });
    expect(listOfType(json, 'aws_wafv2_ip_set')).toEqual([
      expect.objectContaining({
        scope: 'CLOUDFRONT',
        provider: US_EAST_1,
        name: 'wms-test-cdn-warehouse-lyon',
      }),
    ]);
    expect(Object.keys(resourcesOfType(json, 'aws_wafv2_ip_set'))).toHaveLength(1);
  });

  it('GIVEN a WAF log retention THEN the us-east-1 log group keeps it', () => {
    const { json } = build({ logRetentionDays: 400 });
    expect(listOfType(json, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(400);
  });

  it.each<[Partial<Props>, RegExp]>([
    [
      { staticMinTtlSeconds: 100, staticDefaultTtlSeconds: 50 },
      /test\/Cdn: staticMinTtlSeconds, staticDefaultTtlSeconds, staticMaxTtlSeconds: \[100,50,31536000\] is not allowed \(whole seconds from 0 to 31536000, minSeconds <= defaultSeconds <= maxSeconds\)/,
    ],
    [{ staticMaxTtlSeconds: 40000000 }, /staticMaxTtlSeconds: .*40000000/],
    [
      { uncachedPathPatterns: [] },
      /uncachedPathPatterns: \[\] is not allowed \(1-10 distinct CloudFront path patterns/,
    ],
    [{ uncachedPathPatterns: ['api/*'] }, /uncachedPathPatterns: \["api\/\*"\]/],
    [{ uncachedPathPatterns: ['/api/*', '/api/*'] }, /uncachedPathPatterns: .*distinct/],
    [
      { originDomainName: 'test.wms.example.com' },
      /originDomainName: "test.wms.example.com" is not allowed \(a host name of the load balancer other than domainName/,
    ],
    [{ rateLimitPer5Minutes: 10 }, /test\/Cdn: rateLimitPer5Minutes: 10 is not allowed/],
  ])('GIVEN %j THEN refuses it, naming field, value and what is allowed', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
