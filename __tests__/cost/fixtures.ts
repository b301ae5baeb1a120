/** Fixtures of the cost estimate: round test prices (so the expected totals are easy to compute by hand). */
import type { AssumptionName, PriceRow, PriceTable } from '../../cost/price-table';
import { PRICE_TABLE } from '../../cost/price-table';

const REGION = 'eu-west-1';

function row(key: string, unit: string, usd: number): PriceRow {
  return {
    key,
    region: REGION,
    unit,
    usd,
    source: 'https://aws.amazon.com/test',
    retrieved: '2026-01-01',
    status: 'recalled',
  };
}

const ASSUMED: Record<AssumptionName, number> = {
  natProcessedGBPerGateway: 10,
  albLcuPerBalancer: 1,
  albPerIngressGroup: 1,
  auroraStorageGB: 100,
  auroraIoMillionPerMonth: 5,
  serverlessAcuAboveMinimum: 1,
  rdsProxyServerlessMinimumAcu: 8,
  spotPriceFraction: 0.5,
  logsIngestedGBPerGroup: 1,
  wafRequestsMillionPerAcl: 4,
  karpenterNodes: 0,
};

/** A price table with round numbers, 730 hours a month. */
export const TEST_PRICES: PriceTable = {
  currency: 'USD',
  hoursPerMonth: 730,
  assumptions: Object.fromEntries(
    Object.keys(PRICE_TABLE.assumptions).map((name) => [
      name,
      { value: ASSUMED[name as AssumptionName], why: 'test' },
    ]),
  ) as PriceTable['assumptions'],
  prices: [
    row('eks:cluster', 'cluster-hour', 0.1),
    row('ec2:m6i.large', 'instance-hour', 0.1),
    row('ebs:gp3', 'GiB-month', 0.1),
    row('vpc:nat-gateway', 'gateway-hour', 0.05),
    row('vpc:nat-processed', 'GB', 0.05),
    row('vpc:public-ipv4', 'address-hour', 0.005),
    row('vpc:interface-endpoint', 'endpoint-AZ-hour', 0.01),
    row('elb:alb', 'balancer-hour', 0.02),
    row('elb:alb-lcu', 'LCU-hour', 0),
    row('aurora-postgresql:db.r6g.large', 'instance-hour', 0.3),
    row('aurora:acu', 'ACU-hour', 0.1),
    row('aurora:storage', 'GB-month', 0.1),
    row('aurora:io', 'million requests', 0.2),
    row('rds-proxy:vcpu', 'vCPU-hour', 0.02),
    row('kms:key', 'key-month', 1),
    row('secretsmanager:secret', 'secret-month', 0.4),
    row('cloudwatch:alarm', 'alarm-month', 0.1),
    row('cloudwatch:logs-ingested', 'GB', 0.5),
    row('waf:web-acl', 'web-ACL-month', 5),
    row('waf:rule', 'rule-month', 1),
    row('waf:requests', 'million requests', 0.6),
    row('route53:hosted-zone', 'zone-month', 0.5),
  ],
};

/** Options of {@link fixtureStack}. */
export interface FixtureOptions {
  readonly region?: string;
  readonly systemNodes?: number;
  /** Serverless v2 scaling: the writer becomes db.serverless. */
  readonly serverless?: { min_capacity: number; max_capacity: number };
  readonly ingresses?: readonly { group?: string; className?: string }[];
  readonly nodePoolCpu?: string;
}

const many = (count: number, make: (i: number) => object) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`r${i}`, make(i)]));

/** A platform-like stack: 2 on-demand + 3 spot nodes, 2 NAT gateways, Aurora with a proxy, keys, WAF... */
export function fixtureStack(options: FixtureOptions = {}): Record<string, unknown> {
  const ingresses = options.ingresses ?? [];
  return {
    '//': { wms: { environment: 'test', production: false } },
    provider: { aws: [{ region: options.region ?? REGION }] },
    resource: {
      aws_eks_cluster: { eks: { name: 'wms-test-eks' } },
      aws_launch_template: {
        nodes: {
          block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 40, volume_type: 'gp3' } }],
        },
      },
      aws_eks_node_group: {
        system: {
          node_group_name_prefix: 'wms-test-system-',
          capacity_type: 'ON_DEMAND',
          instance_types: ['m6i.large'],
          scaling_config: { desired_size: options.systemNodes ?? 2, min_size: 1, max_size: 4 },
          launch_template: { id: '${aws_launch_template.nodes.id}', version: '1' },
        },
        spot: {
          node_group_name_prefix: 'wms-test-spot-',
          capacity_type: 'SPOT',
          instance_types: ['m6i.large', 'm5.large'],
          scaling_config: { desired_size: 3, min_size: 0, max_size: 6 },
          launch_template: { id: '${aws_launch_template.nodes.id}', version: '1' },
        },
      },
      aws_nat_gateway: many(2, () => ({ subnet_id: 'x' })),
      aws_eip: many(2, () => ({ domain: 'vpc' })),
      aws_vpc_endpoint: {
        ecr: { vpc_endpoint_type: 'Interface', subnet_ids: ['a', 'b', 'c'] },
        s3: { vpc_endpoint_type: 'Gateway' },
      },
      aws_rds_cluster: {
        db: {
          cluster_identifier: 'wms-test-db',
          engine: 'aurora-postgresql',
          manage_master_user_password: true,
          ...(options.serverless ? { serverlessv2_scaling_configuration: options.serverless } : {}),
        },
      },
      aws_rds_cluster_instance: {
        writer: {
          identifier: 'wms-test-db-writer',
          cluster_identifier: '${aws_rds_cluster.db.id}',
          instance_class: options.serverless ? 'db.serverless' : 'db.r6g.large',
        },
      },
      aws_db_proxy: { proxy: { name: 'wms-test-db' } },
      aws_db_proxy_target: {
        target: {
          db_proxy_name: '${aws_db_proxy.proxy.name}',
          db_cluster_identifier: '${aws_rds_cluster.db.cluster_identifier}',
        },
      },
      aws_kms_key: many(2, () => ({})),
      aws_secretsmanager_secret: { app: { name: 'x' } },
      aws_cloudwatch_metric_alarm: many(3, () => ({})),
      aws_cloudwatch_log_group: many(3, () => ({})),
      aws_route53_zone: { zone: { name: 'test.example.com' } },
      aws_wafv2_web_acl: { acl: { name: 'wms-test-web', rule: [{ name: 'a' }, { name: 'b' }] } },
      aws_iam_role: { role: {} },
      aws_vpc: { vpc: {} },
      aws_s3_bucket: { logs: {} },
      aws_something_new: { x: {} },
      ...(ingresses.length > 0
        ? {
            kubernetes_ingress_v1: many(ingresses.length, (i) => ({
              metadata: {
                annotations: ingresses[i].group
                  ? { 'alb.ingress.kubernetes.io/group.name': ingresses[i].group }
                  : {},
              },
              spec: { ingress_class_name: ingresses[i].className ?? 'alb' },
            })),
          }
        : {}),
      ...(options.nodePoolCpu
        ? {
            kubernetes_manifest: {
              pool: {
                manifest: {
                  kind: 'NodePool',
                  metadata: { name: 'general' },
                  spec: { limits: { cpu: options.nodePoolCpu } },
                },
              },
            },
          }
        : {}),
    },
  };
}
