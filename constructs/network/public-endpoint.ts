import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import type { Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Wafv2IpSet } from '@cdktf/provider-aws/lib/wafv2-ip-set';
import { Construct } from 'constructs';
import { parseCidr } from '../../shared/cidr';
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

/**
 * A warehouse network: its scanners and terminals reach the WMS through few public addresses (one NAT), so the
 * per-IP limit would throttle the whole site during a busy shift. Its requests get their own limit instead.
 */
export interface WarehouseRateLimit {
  /** Short name, lowercase letters, digits and hyphens (names the WAF rule and IP set), e.g. `lyon-dc1`. */
  readonly name: string;
  /** The warehouse's public egress addresses, IPv4 CIDRs (e.g. `198.51.100.7/32`). */
  readonly cidrs: readonly string[];
  /** Requests in 5 minutes before the web ACL blocks (per address, or per device with `deviceHeader`). */
  readonly rateLimitPer5Minutes: number;
  /**
   * A request header naming the device (e.g. `x-wms-device-id`, sent by the scanner app): the limit then applies
   * per address and device (WAF custom aggregation keys) instead of per address.
   * @default - per address: the whole warehouse behind one NAT address shares the limit
   */
  readonly deviceHeader?: string;
}

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
  /** Route 53 zone the certificates' validation records go to. */
  private readonly zoneId: string;

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
    this.validateWarehouses(props.warehouses ?? []);
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);

    this.zoneId = props.zoneId;
    this.certificateArn = validatedCertificate(this, props.domainName, props.zoneId);

    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    // The bindings type `statement` as a free-form object (the WAF schema nests too deep to generate) and pass it
    // through unchanged, so its keys are written in Terraform's snake_case; `terraform validate` checks them.
    const rateRules = this.rateLimitRules(props, name, visibility);
    const rules: Wafv2WebAclRule[] = [
      ...rateRules,
      ...MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group,
        priority: rateRules.length + index,
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

  /**
   * One rate-based rule per warehouse, scoped down to its IP set, with its own limit (per address, or per address
   * and device header with custom aggregation keys); then the per-IP rule for everything else (scoped down to
   * "not a warehouse address", so warehouse requests are not counted twice).
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-aggregation-options.html
   */
  private rateLimitRules(
    props: PublicEndpointProps,
    name: (...parts: string[]) => string,
    visibility: (metricName: string) => Wafv2WebAclRule['visibilityConfig'],
  ): Wafv2WebAclRule[] {
    const warehouses = props.warehouses ?? [];
    const sets = warehouses.map(
      (warehouse) =>
        // Keyed by the warehouse's name, its identity in config: an IP set holds no state, and a renamed
        // warehouse's set is replaced before the old one goes (the web ACL references it).
        new Wafv2IpSet(this, `WarehouseIpSet-${warehouse.name}`, {
          name: name('warehouse', warehouse.name),
          description: `Public addresses of warehouse ${warehouse.name}`,
          scope: 'REGIONAL',
          ipAddressVersion: 'IPV4',
          addresses: [...warehouse.cidrs],
          lifecycle: { createBeforeDestroy: true },
        }),
    );
    const inSet = (set: Wafv2IpSet) => ({ ip_set_reference_statement: { arn: set.arn } });
    const warehouseRules: Wafv2WebAclRule[] = warehouses.map((warehouse, index) => ({
      name: `rate-limit-warehouse-${warehouse.name}`,
      priority: index,
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: warehouse.rateLimitPer5Minutes,
          ...(warehouse.deviceHeader
            ? {
                aggregate_key_type: 'CUSTOM_KEYS',
                custom_key: [
                  { ip: {} },
                  {
                    header: {
                      name: warehouse.deviceHeader,
                      text_transformation: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                ],
              }
            : { aggregate_key_type: 'IP' }),
          scope_down_statement: inSet(sets[index]),
        },
      },
      visibilityConfig: visibility(`rate-limit-warehouse-${warehouse.name}`),
    }));
    const anyWarehouse =
      sets.length === 1 ? inSet(sets[0]) : { or_statement: { statement: sets.map((set) => inSet(set)) } };
    const perIp: Wafv2WebAclRule = {
      name: 'rate-limit-per-ip',
      priority: warehouses.length,
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: props.rateLimitPer5Minutes,
          aggregate_key_type: 'IP',
          ...(sets.length > 0
            ? { scope_down_statement: { not_statement: { statement: [anyWarehouse] } } }
            : {}),
        },
      },
      visibilityConfig: visibility('rate-limit-per-ip'),
    };
    return [...warehouseRules, perIp];
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

  private validateWarehouses(warehouses: readonly WarehouseRateLimit[]): void {
    const seen = new Set<string>();
    warehouses.forEach((warehouse, index) => {
      const field = (name: string) => `warehouses[${index}].${name}`;
      if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(warehouse.name) || seen.has(warehouse.name)) {
        throw propError(
          this,
          field('name'),
          warehouse.name,
          'a unique name of lowercase letters, digits, hyphens (max 32)',
        );
      }
      seen.add(warehouse.name);
      if (warehouse.cidrs.length === 0 || warehouse.cidrs.some((cidr) => !parseCidr(cidr))) {
        throw propError(
          this,
          field('cidrs'),
          warehouse.cidrs,
          'at least one IPv4 CIDR such as 198.51.100.7/32',
        );
      }
      if (!Number.isInteger(warehouse.rateLimitPer5Minutes) || warehouse.rateLimitPer5Minutes < 100) {
        throw propError(
          this,
          field('rateLimitPer5Minutes'),
          warehouse.rateLimitPer5Minutes,
          'a whole number >= 100 (the WAF minimum)',
        );
      }
      if (warehouse.deviceHeader !== undefined && !/^[a-z0-9-]{1,64}$/.test(warehouse.deviceHeader)) {
        throw propError(
          this,
          field('deviceHeader'),
          warehouse.deviceHeader,
          'a lowercase header name such as x-wms-device-id',
        );
      }
    });
  }
}

/**
 * A DNS-validated ACM certificate for one name in `zoneId` (resources `Certificate`, `CertificateValidation`,
 * `CertificateValidated` under `scope`): the ARN is known once validation completed.
 */
function validatedCertificate(scope: Construct, domainName: string, zoneId: string): string {
  const certificate = new AcmCertificate(scope, 'Certificate', {
    domainName,
    validationMethod: 'DNS',
    keyAlgorithm: 'EC_prime256v1',
    lifecycle: { createBeforeDestroy: true },
  });
  // One validation record for the single domain name: a literal index keeps the plan readable.
  const option = certificate.domainValidationOptions.get(0);
  const record = new Route53Record(scope, 'CertificateValidation', {
    zoneId,
    name: option.resourceRecordName,
    type: option.resourceRecordType,
    records: [option.resourceRecordValue],
    ttl: 300,
    allowOverwrite: true,
  });
  return new AcmCertificateValidation(scope, 'CertificateValidated', {
    certificateArn: certificate.arn,
    validationRecordFqdns: [record.fqdn],
  }).certificateArn;
}
