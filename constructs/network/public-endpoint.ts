import { Construct } from 'constructs';
import type { LogRetentionDays } from '../../shared/log-retention';
import type { PolicyStatement } from '../shared/kms';
import { physicalName } from '../shared/naming';
import { SecureBucket } from '../shared/secure-bucket';
import { validatedCertificate } from './private/validated-certificate';
import type { WarehouseRateLimit } from './private/web-acl';
import { loggedWebAcl, MANAGED_RULE_GROUPS, validateRateLimits } from './private/web-acl';

export type { WarehouseRateLimit } from './private/web-acl';

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
  /**
   * Requests one client IP may make in 5 minutes before the web ACL blocks it (100-2,000,000,000); warehouse
   * addresses are counted by their own rules instead.
   */
  readonly rateLimitPer5Minutes: number;
  /**
   * Warehouse networks with their own rate limits.
   * @default - none: every client is limited per IP
   */
  readonly warehouses?: readonly WarehouseRateLimit[];
  /**
   * Retention of the web ACL's request log.
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
  /**
   * A second regional web ACL, for the load balancer behind a CDN (`origin.<domain>`): it sees CloudFront's
   * addresses, not the clients', so it holds only the AWS managed rule groups that inspect the request itself
   * (the CDN's CLOUDFRONT web ACL applies the rate rules and the IP reputation list to the clients). The main web
   * ACL stays as it is for the load balancers CloudFront is not in front of (Grafana's).
   * @default false - one regional web ACL
   */
  readonly originWebAcl?: boolean;
  /**
   * The access-log bucket also admits CloudFront's standard logging (v2: CloudWatch Logs vended delivery, which
   * runs in us-east-1 and writes across regions) under {@link PublicEndpoint.cdnLogsPrefix}.
   * @default false - only the load balancer writes to the bucket
   */
  readonly admitCdnLogs?: boolean;
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
  /** ARN of the web ACL of the load balancer behind a CDN, with `originWebAcl`. */
  readonly originWebAclArn?: string;
  /** The access-log bucket's name. */
  readonly accessLogsBucketName: string;
  /** The key prefix the load balancer must write its access logs under (the bucket policy allows only it). */
  readonly accessLogsPrefix = 'alb';
  /** The access-log bucket's ARN. */
  readonly accessLogsBucketArn: string;
  /** The key prefix CloudFront's access logs go under (with `admitCdnLogs`). */
  readonly cdnLogsPrefix = 'cdn';
  /** Route 53 zone the certificates' validation records go to. */
  private readonly zoneId: string;

  constructor(scope: Construct, id: string, props: PublicEndpointProps) {
    super(scope, id);
    validateRateLimits(this, {
      rateLimitPer5Minutes: props.rateLimitPer5Minutes,
      warehouses: props.warehouses ?? [],
    });
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);

    this.zoneId = props.zoneId;
    this.certificateArn = validatedCertificate(this, props.domainName, props.zoneId);

    this.webAclArn = loggedWebAcl(this, {
      name: name('web'),
      physicalName: name,
      description: `Protects the ${props.domainName} load balancer`,
      scope: 'REGIONAL',
      accountId: props.accountId,
      region: props.region,
      rateLimits: { rateLimitPer5Minutes: props.rateLimitPer5Minutes, warehouses: props.warehouses ?? [] },
      managedRuleGroups: MANAGED_RULE_GROUPS,
      logRetentionDays: props.logRetentionDays ?? 365,
    }).arn;
    if (props.originWebAcl) {
      const originName = (...parts: string[]) => name('origin', ...parts);
      this.originWebAclArn = loggedWebAcl(new Construct(this, 'OriginWaf'), {
        name: originName(),
        physicalName: originName,
        description: `Protects the ${props.domainName} load balancer behind CloudFront (request inspection only)`,
        scope: 'REGIONAL',
        accountId: props.accountId,
        region: props.region,
        managedRuleGroups: MANAGED_RULE_GROUPS.filter(
          (group) => group !== 'AWSManagedRulesAmazonIpReputationList',
        ),
        logRetentionDays: props.logRetentionDays ?? 365,
      }).arn;
    }

    const elbAccount = ELB_ACCOUNTS[props.region];
    const bucketName = name('alb-logs', props.accountId, props.region);
    const logsBucket = new SecureBucket(this, 'AccessLogs', {
      bucketName,
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
          Resource: `arn:aws:s3:::${bucketName}/${this.accessLogsPrefix}/AWSLogs/${props.accountId}/*`,
        },
        ...(props.admitCdnLogs
          ? [cdnLogDeliveryStatement(bucketName, this.cdnLogsPrefix, props.accountId)]
          : []),
      ],
    });
    this.accessLogsBucketName = logsBucket.bucketName;
    this.accessLogsBucketArn = logsBucket.bucketArn;
  }

  /**
   * Another DNS-validated certificate, for a host name of its own load balancer (e.g. `grafana.<domain>`), under
   * the construct `id`. Adding a name to the main certificate would replace it (ACM certificates are immutable),
   * so each further host gets its own and nothing existing changes.
   * @returns the ARN of the validated certificate
   */
  addCertificate(id: string, domainName: string): string {
    return validatedCertificate(new Construct(this, id), domainName, this.zoneId);
  }
}

/**
 * CloudFront's standard logging (v2) writes through CloudWatch Logs' vended log delivery
 * (`delivery.logs.amazonaws.com`), only for delivery sources of this account (they live in us-east-1).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-V2-S3
 */
function cdnLogDeliveryStatement(bucketName: string, prefix: string, accountId: string): PolicyStatement {
  return {
    Sid: 'CdnWritesAccessLogs',
    Effect: 'Allow',
    Principal: { Service: 'delivery.logs.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${bucketName}/${prefix}/*`,
    Condition: {
      StringEquals: { 'aws:SourceAccount': accountId, 's3:x-amz-acl': 'bucket-owner-full-control' },
      ArnLike: { 'aws:SourceArn': `arn:aws:logs:us-east-1:${accountId}:delivery-source:*` },
    },
  };
}
