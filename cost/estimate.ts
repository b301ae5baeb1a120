/**
 * Estimates the monthly cost of one synthesized stack from its Terraform JSON and the committed price table
 * (cost/prices.json): what is provisioned by the hour (instances, NAT gateways, load balancers, Aurora, EKS,
 * endpoints, addresses) and by the month (keys, secrets, alarms, zones, web ACLs), plus the usage the JSON cannot
 * tell, taken from the table's stated assumptions. Everything else is listed as not counted, with the reason.
 */
import { parse } from 'yaml';
import type { ResourceNode } from '../model/stack-model';
import { StackModel } from '../model/stack-model';
import type { JsonObject } from '../model/values';
import { blocks, firstBlock, isObject } from '../model/values';
import type { AssumptionName, PriceRow, Prices } from './price-table';

/** One priced item of a stack. */
export interface CostLine {
  /** What is paid for, e.g. `EKS node group wms-prod-eks-system: 3 x m6i.xlarge on-demand`. */
  readonly item: string;
  /** The arithmetic, e.g. `3 x 730 h x 0.214 USD`. */
  readonly detail: string;
  readonly monthlyUsd: number;
  /** The price rows used. */
  readonly prices: readonly PriceRow[];
  /** The assumptions used. */
  readonly assumptions: readonly AssumptionName[];
}

/** Resource types that are not counted, and why. */
export interface NotCounted {
  readonly type: string;
  readonly count: number;
  /** `free` (no charge of its own), `usage` (billed by usage the JSON cannot tell) or `unclassified`. */
  readonly reason: 'free' | 'usage' | 'unclassified';
}

/** The estimate of one stack. */
export interface StackEstimate {
  readonly stackName: string;
  /** The environment from the stack's `"//".wms` metadata (`dev`, `account-333333333333`), or `unknown`. */
  readonly environment: string;
  /** The AWS region priced, or undefined for a stack without an AWS provider and nothing priced. */
  readonly region?: string;
  readonly lines: readonly CostLine[];
  readonly notCounted: readonly NotCounted[];
  /** Things that cost money but cannot be counted from the JSON, e.g. a Karpenter CPU ceiling. */
  readonly notes: readonly string[];
  readonly monthlyUsd: number;
}

/**
 * AWS resource types with no charge of their own (what they cause is priced elsewhere: a flow log's data in its
 * log group, a launch template's volumes in the node group).
 */
export const FREE_TYPES: ReadonlySet<string> = new Set([
  'aws_accessanalyzer_analyzer',
  'aws_acm_certificate',
  'aws_acm_certificate_validation',
  'aws_backup_plan',
  'aws_backup_selection',
  'aws_backup_vault',
  'aws_backup_vault_lock_configuration',
  'aws_ce_anomaly_monitor',
  'aws_ce_anomaly_subscription',
  'aws_ce_cost_allocation_tag',
  'aws_chatbot_slack_channel_configuration',
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_cloudwatch_log_metric_filter',
  'aws_codebuild_webhook',
  'aws_config_configuration_recorder_status',
  'aws_config_delivery_channel',
  'aws_db_parameter_group',
  'aws_db_proxy_default_target_group',
  'aws_db_proxy_endpoint',
  'aws_db_proxy_target',
  'aws_db_subnet_group',
  'aws_default_network_acl',
  'aws_default_route_table',
  'aws_default_security_group',
  'aws_ecr_lifecycle_policy',
  'aws_ecr_registry_scanning_configuration',
  'aws_ecr_repository_policy',
  'aws_eks_access_entry',
  'aws_eks_access_policy_association',
  'aws_eks_addon',
  'aws_eks_pod_identity_association',
  'aws_flow_log',
  'aws_guardduty_detector_feature',
  'aws_iam_openid_connect_provider',
  'aws_iam_policy',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_iam_service_linked_role',
  'aws_internet_gateway',
  'aws_kms_alias',
  'aws_lambda_invocation',
  'aws_lambda_permission',
  'aws_launch_template',
  'aws_network_acl',
  'aws_rds_cluster_parameter_group',
  'aws_route',
  'aws_route53_record',
  'aws_route_table',
  'aws_route_table_association',
  'aws_s3_bucket_lifecycle_configuration',
  'aws_s3_bucket_logging',
  'aws_s3_bucket_object_lock_configuration',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_versioning',
  'aws_secretsmanager_secret_rotation',
  'aws_security_group',
  'aws_securityhub_standards_subscription',
  'aws_sns_topic_policy',
  'aws_sns_topic_subscription',
  'aws_sqs_queue_policy',
  'aws_subnet',
  'aws_vpc',
  'aws_vpc_security_group_egress_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_wafv2_ip_set',
  'aws_wafv2_web_acl_logging_configuration',
  'aws_cloudfront_cache_policy',
  'aws_cloudfront_response_headers_policy',
  'aws_cloudwatch_log_delivery_destination',
  'aws_cloudwatch_log_delivery_source',
  'aws_prometheus_workspace_configuration',
]);

/**
 * AWS resource types billed by usage the synthesized JSON cannot tell (events recorded, findings, objects stored,
 * messages sent, snapshots kept): not counted; the README says so.
 */
export const USAGE_TYPES: ReadonlySet<string> = new Set([
  'aws_backup_restore_testing_plan',
  'aws_backup_restore_testing_selection',
  'aws_budgets_budget',
  // Per GB to the internet and per 10,000 HTTPS requests (by price class), per 1,000,000 WAF requests on its web
  // ACL; no charge for the distribution itself. Traffic is not in the synthesized JSON: not counted.
  'aws_cloudfront_distribution',
  // Vended logs: per GB delivered to S3.
  'aws_cloudwatch_log_delivery',
  'aws_cloudtrail',
  'aws_codebuild_project',
  'aws_config_configuration_recorder',
  'aws_db_cluster_snapshot',
  'aws_ecr_repository',
  'aws_guardduty_detector',
  'aws_inspector2_enabler',
  'aws_lambda_function',
  // Per sample ingested, per sample queried, per GB-month stored: no charge for the workspace itself.
  'aws_prometheus_workspace',
  'aws_s3_bucket',
  'aws_scheduler_schedule',
  'aws_securityhub_account',
  'aws_sfn_state_machine',
  'aws_sns_topic',
  'aws_sqs_queue',
]);

/** The AWS types the estimate prices (a test keeps the three sets apart). */
export const PRICED_TYPES: ReadonlySet<string> = new Set([
  'aws_cloudwatch_log_group',
  'aws_cloudwatch_metric_alarm',
  'aws_db_proxy',
  'aws_eip',
  'aws_eks_cluster',
  'aws_eks_node_group',
  'aws_kms_key',
  'aws_nat_gateway',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_route53_zone',
  'aws_secretsmanager_secret',
  'aws_vpc_endpoint',
  'aws_wafv2_web_acl',
]);

/** vCPUs of the database instance sizes (RDS Proxy bills per vCPU of the instances behind it). */
const DB_SIZE_VCPUS: Readonly<Record<string, number>> = {
  medium: 2,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
};

/** Money as the report shows it: two decimals. */
export function usd(amount: number): string {
  return amount.toFixed(2);
}

/** A unit price as the detail shows it: no trailing zeros. */
function unit(row: PriceRow): string {
  return `${Number(row.usd.toPrecision(6))} USD/${row.unit}`;
}

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** Minutes after midnight and day count of `cron(M H ? * DAYS *)`, or undefined for any other expression. */
function dailyCron(expression: unknown): { minutes: number; days: string; dayCount: number } | undefined {
  const match = /^cron\((\d+) (\d+) \? \* ([A-Z,-]+) \*\)$/.exec(String(expression));
  if (!match) return undefined;
  let dayCount = 0;
  for (const part of match[3].split(',')) {
    const [from, to = from] = part.split('-').map((day) => DAYS.indexOf(day));
    if (from < 0 || to < from) return undefined;
    dayCount += to - from + 1;
  }
  return { minutes: Number(match[2]) * 60 + Number(match[1]), days: match[3], dayCount };
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** The region of the stack's default (unaliased) AWS provider. */
export function stackRegion(json: JsonObject): string | undefined {
  const providers = isObject(json.provider) ? blocks(json.provider.aws) : [];
  const region = providers.find((provider) => provider.alias === undefined)?.region;
  return typeof region === 'string' && !region.includes('${') ? region : undefined;
}

/** The environment name in the stack's metadata. */
export function stackEnvironment(json: JsonObject): string {
  const meta = json['//'];
  const wms = isObject(meta) ? meta.wms : undefined;
  return isObject(wms) && typeof wms.environment === 'string' ? wms.environment : 'unknown';
}

/** Builds the lines of one stack. */
class Estimator {
  public readonly lines: CostLine[] = [];
  public readonly notes: string[] = [];
  private readonly hours: number;

  constructor(
    private readonly model: StackModel,
    private readonly prices: Prices,
    private readonly region: string | undefined,
  ) {
    this.hours = prices.table.hoursPerMonth;
  }

  private price(key: string): PriceRow {
    if (!this.region) {
      throw new Error(
        `${this.model.stackName}: cannot price ${key}: the stack has no AWS provider region and its environment none either`,
      );
    }
    return this.prices.get(key, this.region);
  }

  private add(line: CostLine): void {
    if (line.monthlyUsd > 0 || line.prices.length > 0) this.lines.push(line);
  }

  /** `count` things billed by the hour all month. */
  private hourly(
    item: string,
    key: string,
    count: number,
    assumptions: AssumptionName[] = [],
    running = { share: 1, detail: '' },
  ): void {
    if (count <= 0) return;
    const row = this.price(key);
    this.add({
      item,
      detail: `${count} x ${this.hours} h x ${unit(row)}${running.detail}`,
      monthlyUsd: count * this.hours * row.usd * running.share,
      prices: [row],
      assumptions,
    });
  }

  /** `quantity` units of a per-unit price. */
  private perUnit(item: string, key: string, quantity: number, assumptions: AssumptionName[] = []): void {
    if (quantity <= 0) return;
    const row = this.price(key);
    this.add({
      item,
      detail: `${Number(quantity.toPrecision(6))} x ${unit(row)}`,
      monthlyUsd: quantity * row.usd,
      prices: [row],
      assumptions,
    });
  }

  public run(): void {
    const m = this.model;
    this.hourly('EKS control plane', 'eks:cluster', m.ofType('aws_eks_cluster').length);
    m.ofType('aws_eks_node_group').forEach((group) => this.nodeGroup(group));
    const nat = m.ofType('aws_nat_gateway').length;
    this.hourly('NAT gateways', 'vpc:nat-gateway', nat);
    this.perUnit(
      'NAT gateways: data processed',
      'vpc:nat-processed',
      nat * this.assume('natProcessedGBPerGateway'),
      ['natProcessedGBPerGateway'],
    );
    this.hourly('public IPv4 addresses (Elastic IPs)', 'vpc:public-ipv4', m.ofType('aws_eip').length);
    this.endpoints();
    m.ofType('aws_rds_cluster').forEach((cluster) => this.aurora(cluster));
    this.proxies();
    this.albs();
    this.perUnit('KMS customer managed keys', 'kms:key', m.ofType('aws_kms_key').length);
    this.secrets();
    this.perUnit(
      'CloudWatch metric alarms',
      'cloudwatch:alarm',
      m.ofType('aws_cloudwatch_metric_alarm').length,
    );
    const logGroups = m.ofType('aws_cloudwatch_log_group').length;
    this.perUnit(
      `CloudWatch Logs ingested (${logGroups} log groups)`,
      'cloudwatch:logs-ingested',
      logGroups * this.assume('logsIngestedGBPerGroup'),
      ['logsIngestedGBPerGroup'],
    );
    this.perUnit('Route 53 hosted zones', 'route53:hosted-zone', m.ofType('aws_route53_zone').length);
    m.ofType('aws_wafv2_web_acl').forEach((acl) => this.webAcl(acl));
    this.karpenterCeiling();
  }

  private assume(name: AssumptionName): number {
    return this.prices.assume(name);
  }

  /**
   * The share of the week something runs when EventBridge Scheduler stops and starts it (working hours: a stop
   * and a start schedule, same days, whose input names it); 1 when nothing stops it or the crons are not plain
   * daily ones. Stop: `stopDBCluster`, or a node group scaled to desired 0.
   */
  private runningShare(names: (input: string) => boolean): { share: number; detail: string } {
    const found: Record<'stop' | 'start', ReturnType<typeof dailyCron>> = {
      stop: undefined,
      start: undefined,
    };
    for (const schedule of this.model.ofType('aws_scheduler_schedule')) {
      const target = firstBlock(schedule.body.target);
      const input = String(target?.input ?? '');
      if (!names(input)) continue;
      const stops = String(target?.arn).endsWith(':stopDBCluster') || /"DesiredSize":0[,}]/.test(input);
      found[stops ? 'stop' : 'start'] = dailyCron(schedule.body.schedule_expression);
    }
    const { stop, start } = found;
    if (!stop || !start || stop.days !== start.days || stop.minutes <= start.minutes)
      return { share: 1, detail: '' };
    const share = (stop.dayCount * (stop.minutes - start.minutes)) / (7 * 24 * 60);
    return { share, detail: ` x ${Number(share.toFixed(3))} (working hours)` };
  }

  private nodeGroup(group: ResourceNode): void {
    const scaling = firstBlock(group.body.scaling_config);
    const nodes = num(scaling?.desired_size) ?? num(scaling?.min_size) ?? 0;
    const types = strings(group.body.instance_types);
    const type = types[0] ?? 't3.medium';
    const spot = group.body.capacity_type === 'SPOT';
    const name = String(
      group.body.node_group_name ?? group.body.node_group_name_prefix ?? group.name,
    ).replace(/-$/, '');
    if (nodes > 0) {
      const row = this.price(`ec2:${type}`);
      const fraction = spot ? this.assume('spotPriceFraction') : 1;
      const running = this.runningShare((input) => input.includes(`aws_eks_node_group.${group.name}.`));
      this.add({
        item: `EKS node group ${name}: ${nodes} x ${type} ${spot ? 'spot' : 'on-demand'}`,
        detail: `${nodes} x ${this.hours} h x ${unit(row)}${spot ? ` x ${fraction} (spot)` : ''}${running.detail}`,
        monthlyUsd: nodes * this.hours * row.usd * fraction * running.share,
        prices: [row],
        assumptions: spot ? ['spotPriceFraction'] : [],
      });
      this.perUnit(`EKS node group ${name}: root volumes`, 'ebs:gp3', nodes * this.rootVolumeGiB(group));
    }
  }

  /** The root volume size of a node group's nodes: its launch template's, or its disk_size (default 20 GiB). */
  private rootVolumeGiB(group: ResourceNode): number {
    const template = this.model.referenced(firstBlock(group.body.launch_template)?.id, ['id']);
    const ebs = template ? firstBlock(firstBlock(template.body.block_device_mappings)?.ebs) : undefined;
    return num(ebs?.volume_size) ?? num(group.body.disk_size) ?? 20;
  }

  private endpoints(): void {
    const azHours = this.model
      .ofType('aws_vpc_endpoint')
      .filter((endpoint) => endpoint.body.vpc_endpoint_type === 'Interface')
      .reduce((sum, endpoint) => sum + Math.max(1, strings(endpoint.body.subnet_ids).length), 0);
    this.hourly('VPC interface endpoints (per AZ)', 'vpc:interface-endpoint', azHours);
  }

  private instancesOf(cluster: ResourceNode): ResourceNode[] {
    return this.model.referrers(
      cluster,
      'aws_rds_cluster_instance',
      'cluster_identifier',
      ['id'],
      'cluster_identifier',
    );
  }

  private aurora(cluster: ResourceNode): void {
    const id = String(cluster.body.cluster_identifier ?? cluster.name);
    const engine = String(cluster.body.engine ?? 'aurora-postgresql');
    const scaling = firstBlock(cluster.body.serverlessv2_scaling_configuration);
    const running = this.runningShare((input) =>
      input.includes(`"DbClusterIdentifier":${JSON.stringify(id)}`),
    );
    for (const instance of this.instancesOf(cluster)) {
      const instanceClass = String(instance.body.instance_class);
      const name = String(instance.body.identifier ?? instance.name);
      if (instanceClass === 'db.serverless') {
        const acu = (num(scaling?.min_capacity) ?? 0) + this.assume('serverlessAcuAboveMinimum');
        const row = this.price('aurora:acu');
        this.add({
          item: `Aurora ${name}: Serverless v2`,
          detail: `${acu} ACU x ${this.hours} h x ${unit(row)}${running.detail}`,
          monthlyUsd: acu * this.hours * row.usd * running.share,
          prices: [row],
          assumptions: ['serverlessAcuAboveMinimum'],
        });
      } else {
        this.hourly(`Aurora ${name}: ${instanceClass}`, `${engine}:${instanceClass}`, 1, [], running);
      }
    }
    this.perUnit(`Aurora ${id}: storage`, 'aurora:storage', this.assume('auroraStorageGB'), [
      'auroraStorageGB',
    ]);
    this.perUnit(`Aurora ${id}: I/O requests`, 'aurora:io', this.assume('auroraIoMillionPerMonth'), [
      'auroraIoMillionPerMonth',
    ]);
  }

  /** RDS Proxy: per vCPU of the provisioned instances behind it, or per ACU (with a minimum) for Serverless v2. */
  private proxies(): void {
    for (const proxy of this.model.ofType('aws_db_proxy')) {
      const targets = this.model.referrers(
        proxy,
        'aws_db_proxy_target',
        'db_proxy_name',
        ['name', 'id'],
        'name',
      );
      const clusters = targets
        .map((target) =>
          this.model.referenced(target.body.db_cluster_identifier, ['id', 'cluster_identifier']),
        )
        .filter((node): node is ResourceNode => node !== undefined);
      let units = 0;
      const assumptions: AssumptionName[] = [];
      for (const cluster of clusters) {
        const scaling = firstBlock(cluster.body.serverlessv2_scaling_configuration);
        for (const instance of this.instancesOf(cluster)) {
          const instanceClass = String(instance.body.instance_class);
          if (instanceClass === 'db.serverless') {
            units += Math.max(
              this.assume('rdsProxyServerlessMinimumAcu'),
              (num(scaling?.min_capacity) ?? 0) + this.assume('serverlessAcuAboveMinimum'),
            );
            assumptions.push('rdsProxyServerlessMinimumAcu');
          } else {
            units += DB_SIZE_VCPUS[instanceClass.split('.').pop() ?? ''] ?? 2;
          }
        }
      }
      this.hourly(`RDS Proxy ${String(proxy.body.name ?? proxy.name)}`, 'rds-proxy:vcpu', units, [
        ...new Set(assumptions),
      ]);
    }
  }

  /**
   * Ingresses of class `alb` become load balancers, one per ingress group: our own Ingresses, and those a Helm
   * release's values turn on (`ingress: { enabled: true, ingressClassName: alb }` at any depth, e.g. Grafana's).
   */
  private albs(): void {
    const groups = new Set<string>();
    for (const release of this.model.ofType('helm_release')) {
      for (const [index, text] of (Array.isArray(release.body.values) ? release.body.values : []).entries()) {
        if (typeof text !== 'string') continue;
        for (const [path, group] of chartAlbIngresses(parse(text) as unknown)) {
          groups.add(group === undefined ? `${release.address}[${index}].${path}` : `group ${group}`);
        }
      }
    }
    for (const ingress of this.model.ofType('kubernetes_ingress_v1')) {
      const metadata = firstBlock(ingress.body.metadata);
      const annotations = isObject(metadata?.annotations) ? metadata.annotations : {};
      const spec = firstBlock(ingress.body.spec);
      const className = spec?.ingress_class_name ?? annotations['kubernetes.io/ingress.class'];
      if (className !== 'alb') continue;
      const group = annotations['alb.ingress.kubernetes.io/group.name'];
      groups.add(typeof group === 'string' ? `group ${group}` : ingress.address);
    }
    const balancers = groups.size * this.assume('albPerIngressGroup');
    this.hourly('Application Load Balancers (from Ingresses)', 'elb:alb', balancers, ['albPerIngressGroup']);
    this.hourly(
      'Application Load Balancers: capacity units',
      'elb:alb-lcu',
      balancers * this.assume('albLcuPerBalancer'),
      ['albLcuPerBalancer'],
    );
  }

  /** Secrets Manager secrets, and the master-user secret RDS creates for `manage_master_user_password`. */
  private secrets(): void {
    const managed = this.model
      .ofType('aws_rds_cluster')
      .filter((cluster) => cluster.body.manage_master_user_password === true).length;
    this.perUnit(
      'Secrets Manager secrets (incl. RDS-managed master secrets)',
      'secretsmanager:secret',
      this.model.ofType('aws_secretsmanager_secret').length + managed,
    );
  }

  private webAcl(acl: ResourceNode): void {
    const name = String(acl.body.name ?? acl.name);
    const rules = blocks(acl.body.rule).length;
    this.perUnit(`WAF web ACL ${name}`, 'waf:web-acl', 1);
    this.perUnit(`WAF web ACL ${name}: ${rules} rules`, 'waf:rule', rules);
    this.perUnit(`WAF web ACL ${name}: requests`, 'waf:requests', this.assume('wafRequestsMillionPerAcl'), [
      'wafRequestsMillionPerAcl',
    ]);
  }

  /** Karpenter's nodes are made at run time: the NodePool's CPU limit is the ceiling, stated, not counted. */
  private karpenterCeiling(): void {
    for (const manifest of this.model.ofType('kubernetes_manifest')) {
      const body = isObject(manifest.body.manifest) ? manifest.body.manifest : undefined;
      if (body?.kind !== 'NodePool') continue;
      const metadata = isObject(body.metadata) ? body.metadata : {};
      const spec = isObject(body.spec) ? body.spec : {};
      const limits = isObject(spec.limits) ? spec.limits : {};
      this.notes.push(
        `Karpenter NodePool ${String(metadata.name)}: nodes made at run time are not counted ` +
          `(ceiling ${limits.cpu === undefined ? 'none' : `${String(limits.cpu)} vCPUs`})`,
      );
    }
  }
}

/** What the estimate leaves out: AWS types that are free, usage-billed or unknown to it. */
function notCounted(model: StackModel): NotCounted[] {
  const counts = new Map<string, number>();
  for (const node of model.resources) {
    if (!node.type.startsWith('aws_') || PRICED_TYPES.has(node.type)) continue;
    counts.set(node.type, (counts.get(node.type) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => ({
      type,
      count,
      reason: FREE_TYPES.has(type) ? 'free' : USAGE_TYPES.has(type) ? 'usage' : 'unclassified',
    }));
}

/**
 * Estimates one stack.
 * @param fallbackRegion the region of the stack's environment, for stacks without an AWS provider (an Ingress in a
 *   Kubernetes-only stack makes its load balancer in the cluster's region)
 */
export function estimateStack(
  stackName: string,
  json: JsonObject,
  prices: Prices,
  fallbackRegion?: string,
): StackEstimate {
  const model = new StackModel(stackName, json);
  const region = stackRegion(json) ?? fallbackRegion;
  const estimator = new Estimator(model, prices, region);
  estimator.run();
  const lines = estimator.lines;
  return {
    stackName,
    environment: stackEnvironment(json),
    region,
    lines,
    notCounted: notCounted(model),
    notes: estimator.notes,
    monthlyUsd: lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
  };
}

/**
 * The chart Ingresses of class `alb` a release's values enable: path of each `ingress` key and its
 * `alb.ingress.kubernetes.io/group.name`, if any.
 */
export function chartAlbIngresses(values: unknown, path = ''): [string, string | undefined][] {
  if (Array.isArray(values)) return values.flatMap((item, i) => chartAlbIngresses(item, `${path}[${i}]`));
  if (values === null || typeof values !== 'object') return [];
  const found: [string, string | undefined][] = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (key === 'ingress' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const ingress = value as Record<string, unknown>;
      const annotations: Record<string, unknown> = isObject(ingress.annotations) ? ingress.annotations : {};
      const className = ingress.ingressClassName ?? annotations['kubernetes.io/ingress.class'];
      if (ingress.enabled === true && className === 'alb') {
        const group = annotations['alb.ingress.kubernetes.io/group.name'];
        found.push([here, typeof group === 'string' ? group : undefined]);
        continue;
      }
    }
    found.push(...chartAlbIngresses(value, here));
  }
  return found;
}
