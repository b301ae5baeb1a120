import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import type { Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import type { LogRetentionDays } from '../../shared/log-retention';
import { physicalName } from '../shared/naming';
import { SecureBucket } from '../shared/secure-bucket';

/** The AWS managed rule groups the web ACL evaluates, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * Elastic Load Balancing's account per region, which writes access logs into the bucket (regions opened before
 * August 2022 use these; newer ones the `logdelivery.elasticloadbalancing.amazonaws.com` service principal).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-south-1': '718504428378',
  'sa-east-1': '507241528517',
};

/** Properties of a {@link PublicEndpoint}. */
export interface PublicEndpointProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id. */
  readonly accountId: string;
  /** AWS region of the load balancer. */
  readonly region: string;
  /** The public DNS name, e.g. `wms.example.com`. */
  readonly domainName: string;
  /** Route 53 zone of the domain, for the certificate's validation records. */
  readonly zoneId: string;
  /** Requests one client IP may make in 5 minutes before the web ACL blocks it (100-2,000,000,000). */
  readonly rateLimitPer5Minutes: number;
  /**
   * Retention of the web ACL's request log.
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
}

/**
 * What the internet-facing load balancer of an environment needs from AWS before the AWS Load Balancer Controller
 * creates it: a DNS-validated ACM certificate, a WAFv2 web ACL (AWS managed rule groups plus a per-IP rate limit,
 * with its request log), and the bucket for its access logs.
 */
export class PublicEndpoint extends Construct {
  /** ARN of the validated certificate (the ingress names it). */
  readonly certificateArn: string;
  /** ARN of the web ACL (the ingress names it). */
  readonly webAclArn: string;
  /** The access-log bucket's name. */
  readonly accessLogsBucketName: string;
  /** The key prefix the load balancer must write its access logs under (the bucket policy allows only it). */
  readonly accessLogsPrefix = 'alb';

  constructor(scope: Construct, id: string, props: PublicEndpointProps) {
    super(scope, id);
    if (!Number.isInteger(props.rateLimitPer5Minutes) || props.rateLimitPer5Minutes < 100) {
      throw propError(
        this,
        'rateLimitPer5Minutes',
        props.rateLimitPer5Minutes,
        'a whole number >= 100 (the WAF minimum)',
      );
    }
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);

    const certificate = new AcmCertificate(this, 'Certificate', {
      domainName: props.domainName,
      validationMethod: 'DNS',
      keyAlgorithm: 'EC_prime256v1',
      lifecycle: { createBeforeDestroy: true },
    });
    // One validation record for the single domain name: a literal index keeps the plan readable.
    const option = certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, 'CertificateValidation', {
      zoneId: props.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    });
    this.certificateArn = new AcmCertificateValidation(this, 'CertificateValidated', {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    }).certificateArn;

    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    // The bindings type `statement` as a free-form object (the WAF schema nests too deep to generate) and pass it
    // through unchanged, so its keys are written in Terraform's snake_case; `terraform validate` checks them.
    const rules: Wafv2WebAclRule[] = [
      {
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: props.rateLimitPer5Minutes, aggregate_key_type: 'IP' } },
        visibilityConfig: visibility('rate-limit-per-ip'),
      },
      ...MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group,
        priority: index + 1,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
        visibilityConfig: visibility(group),
      })),
    ];
    const acl = new Wafv2WebAcl(this, 'WebAcl', {
      name: name('web'),
      description: `Protects the ${props.domainName} load balancer`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(name('web')),
    });
    this.webAclArn = acl.arn;

    // WAF requires the log group name to start with aws-waf-logs-.
    const wafLogGroupName = `aws-waf-logs-${name('web')}`;
    const wafLogKey = customerKey(this, 'WafLogKey', {
      description: `Encrypts the ${wafLogGroupName} log group`,
      alias: name('waf-logs'),
      accountId: props.accountId,
      serviceStatements: [
        logGroupKeyStatement('WafLogGroupUses', props.region, props.accountId, wafLogGroupName),
      ],
    });
    const wafLogs = new CloudwatchLogGroup(this, 'WafLogGroup', {
      name: wafLogGroupName,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: wafLogKey.arn,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [wafLogs.arn],
    });

    const elbAccount = ELB_ACCOUNTS[props.region];
    const logsBucket = new SecureBucket(this, 'AccessLogs', {
      bucketName: name('alb-logs', props.accountId, props.region),
      purpose: 'access logs of the load balancer',
      accountId: props.accountId,
      encryption: 's3',
      s3EncryptionReason:
        'Elastic Load Balancing writes access logs only to buckets encrypted with SSE-S3 (AES256), not SSE-KMS.',
      expirationDays: 365,
      policyStatements: [
        {
          Sid: 'LoadBalancerWritesAccessLogs',
          Effect: 'Allow',
          Principal: elbAccount
            ? { AWS: `arn:aws:iam::${elbAccount}:root` }
            : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${name('alb-logs', props.accountId, props.region)}/${this.accessLogsPrefix}/AWSLogs/${props.accountId}/*`,
        },
      ],
    });
    this.accessLogsBucketName = logsBucket.bucketName;
  }
}
