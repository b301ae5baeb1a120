import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Wafv2IpSet } from '@cdktf/provider-aws/lib/wafv2-ip-set';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import type { Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import type { Construct } from 'constructs';
import { parseCidr } from '../../../shared/cidr';
import { propError } from '../../shared/errors';
import { customerKey, logGroupKeyStatement } from '../../shared/kms';
import type { LogRetentionDays } from '../../../shared/log-retention';

/** The AWS managed rule groups a web ACL evaluates, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** One of {@link MANAGED_RULE_GROUPS}. */
export type ManagedRuleGroup = (typeof MANAGED_RULE_GROUPS)[number];

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

/** The client rate limits of a web ACL: per IP, and per warehouse network. */
export interface ClientRateLimits {
  /** Requests one client IP may make in 5 minutes (at least 100, the WAF minimum). */
  readonly rateLimitPer5Minutes: number;
  /** Warehouse networks with their own limits (empty: every client is limited per IP). */
  readonly warehouses: readonly WarehouseRateLimit[];
}

/** What {@link loggedWebAcl} builds. */
export interface LoggedWebAclOptions {
  /** Physical name of the web ACL, e.g. `wms-prod-web`; the log group is `aws-waf-logs-<name>`. */
  readonly name: string;
  /** Physical names of the other resources (KMS alias, IP sets) from parts, e.g. `name('waf-logs')`. */
  readonly physicalName: (...parts: string[]) => string;
  readonly description: string;
  /** `REGIONAL` (a load balancer) or `CLOUDFRONT` (a distribution: everything in us-east-1). */
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  readonly accountId: string;
  /** Region of the web ACL and its log group. */
  readonly region: string;
  /** The provider of `region`, when it is not the stack's default (us-east-1 for CLOUDFRONT). */
  readonly provider?: AwsProvider;
  /** The rate rules: absent when another web ACL, which sees the clients' addresses, carries them. */
  readonly rateLimits?: ClientRateLimits;
  readonly managedRuleGroups: readonly ManagedRuleGroup[];
  readonly logRetentionDays: LogRetentionDays;
}

/**
 * A WAFv2 web ACL and its request log, under `scope` (resources `WebAcl`, `WarehouseIpSet-<name>`, `WafLogKey`,
 * `WafLogGroup`, `WafLogging`): the one place the WMS's WAF rules are written, for the load balancer's regional
 * ACL and the CDN's CLOUDFRONT ACL alike. The log group (a name with WAF's required `aws-waf-logs-` prefix) is
 * encrypted with its own key.
 */
export function loggedWebAcl(scope: Construct, options: LoggedWebAclOptions): Wafv2WebAcl {
  const { provider } = options;
  const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
  });
  const rateRules = options.rateLimits ? rateLimitRules(scope, options, options.rateLimits) : [];
  // The bindings type `statement` as a free-form object (the WAF schema nests too deep to generate) and pass it
  // through unchanged, so its keys are written in Terraform's snake_case; `terraform validate` checks them.
  const rules: Wafv2WebAclRule[] = [
    ...rateRules,
    ...options.managedRuleGroups.map((group, index) => ({
      name: group,
      priority: rateRules.length + index,
      overrideAction: { none: {} },
      statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
      visibilityConfig: visibility(group),
    })),
  ];
  const acl = new Wafv2WebAcl(scope, 'WebAcl', {
    provider,
    name: options.name,
    description: options.description,
    scope: options.scope,
    defaultAction: { allow: {} },
    rule: rules,
    visibilityConfig: visibility(options.name),
  });

  // WAF requires the log group name to start with aws-waf-logs-.
  const logGroupName = `aws-waf-logs-${options.name}`;
  const key = customerKey(scope, 'WafLogKey', {
    provider,
    description: `Encrypts the ${logGroupName} log group`,
    alias: options.physicalName('waf-logs'),
    accountId: options.accountId,
    serviceStatements: [
      logGroupKeyStatement('WafLogGroupUses', options.region, options.accountId, logGroupName),
    ],
  });
  const logs = new CloudwatchLogGroup(scope, 'WafLogGroup', {
    provider,
    name: logGroupName,
    retentionInDays: options.logRetentionDays,
    kmsKeyId: key.arn,
  });
  new Wafv2WebAclLoggingConfiguration(scope, 'WafLogging', {
    provider,
    resourceArn: acl.arn,
    logDestinationConfigs: [logs.arn],
  });
  return acl;
}

/**
 * One rate-based rule per warehouse, scoped down to its IP set, with its own limit (per address, or per address
 * and device header with custom aggregation keys); then the per-IP rule for everything else (scoped down to
 * "not a warehouse address", so warehouse requests are not counted twice).
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-aggregation-options.html
 */
function rateLimitRules(
  scope: Construct,
  options: LoggedWebAclOptions,
  limits: ClientRateLimits,
): Wafv2WebAclRule[] {
  const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
  });
  const { warehouses } = limits;
  const sets = warehouses.map(
    (warehouse) =>
      // Keyed by the warehouse's name, its identity in config: an IP set holds no state, and a renamed
      // warehouse's set is replaced before the old one goes (the web ACL references it).
      new Wafv2IpSet(scope, `WarehouseIpSet-${warehouse.name}`, {
        provider: options.provider,
        name: options.physicalName('warehouse', warehouse.name),
        description: `Public addresses of warehouse ${warehouse.name}`,
        scope: options.scope,
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
        limit: limits.rateLimitPer5Minutes,
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
 * Checks client rate limits (the construct's own invariants, in its error format): the per-IP limit, and each
 * warehouse's name, addresses, limit and device header.
 */
export function validateRateLimits(scope: Construct, limits: ClientRateLimits): void {
  if (!Number.isInteger(limits.rateLimitPer5Minutes) || limits.rateLimitPer5Minutes < 100) {
    throw propError(
      scope,
      'rateLimitPer5Minutes',
      limits.rateLimitPer5Minutes,
      'a whole number >= 100 (the WAF minimum)',
    );
  }
  const seen = new Set<string>();
  limits.warehouses.forEach((warehouse, index) => {
    const field = (name: string) => `warehouses[${index}].${name}`;
    if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(warehouse.name) || seen.has(warehouse.name)) {
      throw propError(
        scope,
        field('name'),
        warehouse.name,
        'a unique name of lowercase letters, digits, hyphens (max 32)',
      );
    }
    seen.add(warehouse.name);
    if (warehouse.cidrs.length === 0 || warehouse.cidrs.some((cidr) => !parseCidr(cidr))) {
      throw propError(
        scope,
        field('cidrs'),
        warehouse.cidrs,
        'at least one IPv4 CIDR such as 198.51.100.7/32',
      );
    }
    if (!Number.isInteger(warehouse.rateLimitPer5Minutes) || warehouse.rateLimitPer5Minutes < 100) {
      throw propError(
        scope,
        field('rateLimitPer5Minutes'),
        warehouse.rateLimitPer5Minutes,
        'a whole number >= 100 (the WAF minimum)',
      );
    }
    if (warehouse.deviceHeader !== undefined && !/^[a-z0-9-]{1,64}$/.test(warehouse.deviceHeader)) {
      throw propError(
        scope,
        field('deviceHeader'),
        warehouse.deviceHeader,
        'a lowercase header name such as x-wms-device-id',
      );
    }
  });
}
