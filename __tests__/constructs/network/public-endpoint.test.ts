import { TerraformOutput } from 'cdktf';
import type { PublicEndpointProps } from '../../../constructs/network/public-endpoint';
import { MANAGED_RULE_GROUPS, PublicEndpoint } from '../../../constructs/network/public-endpoint';
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

  it('GIVEN a rate limit below the WAF minimum THEN it names the prop', () => {
    expect(() => build({ rateLimitPer5Minutes: 50 })).toThrow(
      /test\/PublicEndpoint: rateLimitPer5Minutes: 50 is not allowed \(a whole number >= 100 \(the WAF minimum\)\)/,
    );
  });
});
