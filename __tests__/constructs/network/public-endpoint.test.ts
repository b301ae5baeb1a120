import { TerraformOutput } from 'cdktf';
import type { PublicEndpointProps } from '../../../constructs/network/public-endpoint';
import { PublicEndpoint } from '../../../constructs/network/public-endpoint';
import { MANAGED_RULE_GROUPS } from '../../../constructs/network/private/web-acl';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: PublicEndpointProps = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  region: 'eu-west-1',
  domainName: 'test.wms.example.com',
  zoneId: 'Z0123',
  rateLimitPer5Minutes: 2000,
};

function build(overrides: Partial<PublicEndpointProps> = {}) {
  const stack = awsTestStack();
  const endpoint = new PublicEndpoint(stack, 'PublicEndpoint', { ...BASE, ...overrides });
  return { stack, endpoint, json: synthJson(stack) };
}

type Row = Record<string, unknown>;

describe('PublicEndpoint', () => {
  describe('defaults', () => {
    const { stack, endpoint, json } = build();

    it('issues a DNS-validated certificate for the domain and exposes it only once validated', () => {
      expect(listOfType(json, 'aws_acm_certificate')).toEqual([
        expect.objectContaining({ domain_name: 'test.wms.example.com', validation_method: 'DNS' }),
      ]);
      expect(listOfType(json, 'aws_route53_record')).toEqual([
        expect.objectContaining({ zone_id: 'Z0123', ttl: 300 }),
      ]);
      new TerraformOutput(stack, 'CertificateArn', { value: endpoint.certificateArn });
      expect(Object.values(synthJson(stack).output as object)).toEqual([
        { value: expect.stringMatching(/^\$\{aws_acm_certificate_validation\..*\.certificate_arn\}$/) },
      ]);
    });

    it('blocks a client IP above the rate limit first, then applies the AWS managed rule groups', () => {
      const [acl] = listOfType(json, 'aws_wafv2_web_acl');
      expect(acl).toMatchObject({ scope: 'REGIONAL', default_action: { allow: {} } });
      const rules = acl.rule as Row[];
      expect(rules[0]).toMatchObject({
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } },
      });
      expect(rules.slice(1).map((r) => (r.statement as Row).managed_rule_group_statement)).toEqual(
        MANAGED_RULE_GROUPS.map((name) => ({ name, vendor_name: 'AWS' })),
      );
      expect(rules.every((r) => (r.visibility_config as Row).cloudwatch_metrics_enabled === true)).toBe(true);
    });

    it('logs the web ACL to an encrypted aws-waf-logs- group kept 365 days', () => {
      expect(listOfType(json, 'aws_cloudwatch_log_group')).toEqual([
        expect.objectContaining({ name: 'aws-waf-logs-wms-test-web', retention_in_days: 365 }),
      ]);
      expect(listOfType(json, 'aws_wafv2_web_acl_logging_configuration')).toHaveLength(1);
    });

    it('lets the regional load balancer account write access logs under the alb/ prefix only', () => {
      const [policy] = listOfType(json, 'aws_s3_bucket_policy');
      const statements = JSON.parse(policy.policy as string).Statement;
      expect(statements[1]).toEqual({
        Sid: 'LoadBalancerWritesAccessLogs',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::156460612806:root' },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::wms-test-alb-logs-123456789012-eu-west-1/alb/AWSLogs/123456789012/*',
      });
      expect(endpoint.accessLogsPrefix).toBe('alb');
      expect(endpoint.accessLogsBucketName).toBe('wms-test-alb-logs-123456789012-eu-west-1');
    });

    it('passes the guardrails, the SSE-S3 access-log bucket with its recorded reason', () => {
      const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
      expect(result.findings.filter((f) => f.ruleId !== 'WMS_TAG_001')).toEqual([]);
      expect(result.suppressed.map((s) => s.ruleId)).toEqual(['CKV_AWS_145']);
    });
  });

  it('GIVEN a region without a legacy load balancer account THEN the log delivery service principal writes', () => {
    const { json } = build({ region: 'eu-south-2' });
    const statements = JSON.parse(listOfType(json, 'aws_s3_bucket_policy')[0].policy as string).Statement;
    expect(statements[1].Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
  });

  it('GIVEN a log retention THEN the WAF log group keeps it', () => {
    expect(
      listOfType(build({ logRetentionDays: 30 }).json, 'aws_cloudwatch_log_group')[0].retention_in_days,
    ).toBe(30);
  });

  describe('GIVEN warehouses', () => {
    const { json } = build({
      warehouses: [
        {
          name: 'lyon-dc1',
          cidrs: ['198.51.100.7/32'],
          rateLimitPer5Minutes: 300,
          deviceHeader: 'x-wms-device-id',
        },
        { name: 'leeds-dc2', cidrs: ['203.0.113.16/29', '203.0.113.40/32'], rateLimitPer5Minutes: 60000 },
      ],
    });
    const rules = listOfType(json, 'aws_wafv2_web_acl')[0].rule as Row[];
    const rate = (rule: Row) => (rule.statement as Row).rate_based_statement as Row;

    it('puts each warehouse address list in its own IP set, replaced before the old one goes', () => {
      expect(listOfType(json, 'aws_wafv2_ip_set')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'wms-test-warehouse-lyon-dc1',
            addresses: ['198.51.100.7/32'],
            scope: 'REGIONAL',
            ip_address_version: 'IPV4',
            lifecycle: { create_before_destroy: true },
          }),
          expect.objectContaining({
            name: 'wms-test-warehouse-leeds-dc2',
            addresses: ['203.0.113.16/29', '203.0.113.40/32'],
          }),
        ]),
      );
    });

    it('limits a warehouse with a device header per address and device (custom aggregation keys)', () => {
      expect(rules[0]).toMatchObject({
        name: 'rate-limit-warehouse-lyon-dc1',
        priority: 0,
        action: { block: {} },
      });
      expect(rate(rules[0])).toEqual({
        limit: 300,
        aggregate_key_type: 'CUSTOM_KEYS',
        custom_key: [
          { ip: {} },
          { header: { name: 'x-wms-device-id', text_transformation: [{ priority: 0, type: 'NONE' }] } },
        ],
        scope_down_statement: {
          ip_set_reference_statement: { arn: expect.stringMatching(/WarehouseIpSet-lyon-dc1.*\.arn/) },
        },
      });
    });

    it('limits a warehouse without one per address, with its own limit', () => {
      expect(rules[1]).toMatchObject({ name: 'rate-limit-warehouse-leeds-dc2', priority: 1 });
      expect(rate(rules[1])).toMatchObject({ limit: 60000, aggregate_key_type: 'IP' });
    });

    it('limits everything else per IP, leaving warehouse requests to their own rules', () => {
      expect(rules[2]).toMatchObject({ name: 'rate-limit-per-ip', priority: 2 });
      expect(rate(rules[2])).toEqual({
        limit: 2000,
        aggregate_key_type: 'IP',
        scope_down_statement: {
          not_statement: {
            statement: [
              {
                or_statement: {
                  statement: [
                    { ip_set_reference_statement: { arn: expect.stringMatching(/lyon-dc1/) } },
                    { ip_set_reference_statement: { arn: expect.stringMatching(/leeds-dc2/) } },
                  ],
                },
              },
            ],
          },
        },
      });
      expect(rules.slice(3).map((r) => r.priority)).toEqual(MANAGED_RULE_GROUPS.map((_, index) => index + 3));
    });

    it('GIVEN one warehouse THEN the per-IP rule excludes its set directly (an OR needs two statements)', () => {
      const single = build({
        warehouses: [{ name: 'one', cidrs: ['198.51.100.0/24'], rateLimitPer5Minutes: 5000 }],
      });
      const perIp = (listOfType(single.json, 'aws_wafv2_web_acl')[0].rule as Row[])[1];
      expect(rate(perIp).scope_down_statement).toEqual({
        not_statement: {
          statement: [{ ip_set_reference_statement: { arn: expect.stringMatching(/WarehouseIpSet-one/) } }],
        },
      });
    });
  });

  it('GIVEN addCertificate THEN another DNS-validated certificate of its own, the main one unchanged', () => {
    const stack = awsTestStack();
    const endpoint = new PublicEndpoint(stack, 'PublicEndpoint', BASE);
    const before = JSON.stringify(synthJson(stack).resource);
    const arn = endpoint.addCertificate('GrafanaCertificate', 'grafana.test.wms.example.com');
    const json = synthJson(stack);
    const resources = json.resource as Record<string, Record<string, unknown>>;
    const certificates = resources.aws_acm_certificate as Record<string, Row>;
    expect(Object.values(certificates).map((c) => c.domain_name)).toEqual([
      'test.wms.example.com',
      'grafana.test.wms.example.com',
    ]);
    // Every resource that was there is still there, with the same address and body.
    const old = JSON.parse(before) as Record<string, Record<string, unknown>>;
    for (const [type, byName] of Object.entries(old)) {
      for (const [name, body] of Object.entries(byName)) {
        expect(resources[type][name]).toEqual(body);
      }
    }
    expect(Object.keys(resources.aws_route53_record)).toHaveLength(2);
    new TerraformOutput(stack, 'GrafanaCertificateArn', { value: arn });
    expect(Object.values(synthJson(stack).output as object)).toEqual([
      {
        value: expect.stringMatching(
          /^\$\{aws_acm_certificate_validation\.PublicEndpoint_GrafanaCertificate_.*\.certificate_arn\}$/,
        ),
      },
    ]);
  });

  it('GIVEN no warehouses THEN no IP set and a plain per-IP rule', () => {
    const { json } = build();
    expect(listOfType(json, 'aws_wafv2_ip_set')).toHaveLength(0);
  });

  it.each([
    [
      { name: 'Lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 300 },
      /warehouses\[0\]\.name: "Lyon"/,
    ],
    [
      { name: 'lyon', cidrs: ['198.51.100.7/33'], rateLimitPer5Minutes: 300 },
      /warehouses\[0\]\.cidrs: .*at least one IPv4 CIDR/,
    ],
    [{ name: 'lyon', cidrs: [], rateLimitPer5Minutes: 300 }, /warehouses\[0\]\.cidrs/],
    [
      { name: 'lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 50 },
      /warehouses\[0\]\.rateLimitPer5Minutes: 50/,
    ],
    [
      { name: 'lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 300, deviceHeader: 'X Device' },
      /deviceHeader: "X Device"/,
    ],
  ])('GIVEN warehouse %j THEN refuses it, naming field, value and what is allowed', (warehouse, message) => {
    expect(() => build({ warehouses: [warehouse] })).toThrow(message);
  });

  it('GIVEN a rate limit below the WAF minimum THEN it names the prop', () => {
    expect(() => build({ rateLimitPer5Minutes: 50 })).toThrow(
      /test\/PublicEndpoint: rateLimitPer5Minutes: 50 is not allowed \(a whole number >= 100 \(the WAF minimum\)\)/,
    );
  });

  describe('with a CDN in front (issue #19 part 3)', () => {
    it('GIVEN the defaults THEN one web ACL with every rule, no origin ACL, and only the load balancer writes logs', () => {
      const { json } = build({
        warehouses: [{ name: 'lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 300 }],
      });
      const [acl] = listOfType(json, 'aws_wafv2_web_acl');
      expect((acl.rule as Row[]).map((r) => r.name)).toEqual([
        'rate-limit-warehouse-lyon',
        'rate-limit-per-ip',
        ...MANAGED_RULE_GROUPS,
      ]);
      const [policy] = listOfType(json, 'aws_s3_bucket_policy');
      const sids = JSON.parse(policy.policy as string).Statement.map((st: Row) => st.Sid);
      expect(sids).not.toContain('CdnWritesAccessLogs');
      expect(listOfType(json, 'aws_wafv2_web_acl')).toHaveLength(1);
    });

    it('GIVEN originWebAcl THEN a second regional ACL inspects requests only (it sees CloudFront, not clients); the main one keeps every rule', () => {
      const { json, endpoint } = build({
        originWebAcl: true,
        warehouses: [{ name: 'lyon', cidrs: ['198.51.100.7/32'], rateLimitPer5Minutes: 300 }],
      });
      const acls = Object.fromEntries(
        listOfType(json, 'aws_wafv2_web_acl').map((acl) => [
          acl.name,
          (acl.rule as Row[]).map((r) => [r.name, r.priority]),
        ]),
      );
      expect(acls).toEqual({
        'wms-test-web': [
          ['rate-limit-warehouse-lyon', 0],
          ['rate-limit-per-ip', 1],
          ...MANAGED_RULE_GROUPS.map((group, index) => [group, index + 2]),
        ],
        'wms-test-origin': [
          ['AWSManagedRulesCommonRuleSet', 0],
          ['AWSManagedRulesKnownBadInputsRuleSet', 1],
          ['AWSManagedRulesSQLiRuleSet', 2],
        ],
      });
      expect(listOfType(json, 'aws_wafv2_web_acl').every((acl) => acl.scope === 'REGIONAL')).toBe(true);
      expect(listOfType(json, 'aws_wafv2_ip_set')).toHaveLength(1);
      expect(
        listOfType(json, 'aws_cloudwatch_log_group')
          .map((g) => g.name)
          .sort(),
      ).toEqual(['aws-waf-logs-wms-test-origin', 'aws-waf-logs-wms-test-web']);
      expect(endpoint.originWebAclArn).toBeDefined();
      expect(build().endpoint.originWebAclArn).toBeUndefined();
    });

    it('GIVEN admitCdnLogs THEN CloudWatch Logs delivery (from us-east-1 delivery sources of this account) may write under cdn/', () => {
      const { json, endpoint } = build({ admitCdnLogs: true });
      const [policy] = listOfType(json, 'aws_s3_bucket_policy');
      const statement = JSON.parse(policy.policy as string).Statement.find(
        (st: Row) => st.Sid === 'CdnWritesAccessLogs',
      );
      expect(statement).toEqual({
        Sid: 'CdnWritesAccessLogs',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::wms-test-alb-logs-123456789012-eu-west-1/cdn/*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012', 's3:x-amz-acl': 'bucket-owner-full-control' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:logs:us-east-1:123456789012:delivery-source:*' },
        },
      });
      expect(endpoint.cdnLogsPrefix).toBe('cdn');
    });
  });
});
