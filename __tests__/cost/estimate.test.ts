import { chartAlbIngresses, estimateStack, FREE_TYPES, PRICED_TYPES, USAGE_TYPES } from '../../cost/estimate';
import { estimateTree, formatComparison, formatEstimate } from '../../cost/report';
import type { PriceTable } from '../../cost/price-table';
import { MissingPriceError, PRICE_TABLE, Prices } from '../../cost/price-table';
import { synthesizedAppStacks } from '../support/app';
import { fixtureStack, TEST_PRICES } from './fixtures';

const prices = new Prices(TEST_PRICES);

describe('estimateStack on a fixture (numbers by hand, 730 h a month)', () => {
  const estimate = estimateStack('wms-test-platform', fixtureStack(), prices);
  const item = (start: string) => estimate.lines.find((line) => line.item.startsWith(start))?.monthlyUsd;

  it('prices on-demand nodes at the list price and spot nodes at the assumed fraction, plus their root volumes', () => {
    // 2 x 730 x 0.10 = 146; spot 3 x 730 x 0.10 x 0.5 = 109.5; volumes (2 + 3) x 40 GiB x 0.1 = 20
    expect(item('EKS node group wms-test-system: 2 x m6i.large on-demand')).toBeCloseTo(146, 6);
    expect(item('EKS node group wms-test-spot: 3 x m6i.large spot')).toBeCloseTo(109.5, 6);
    expect(item('EKS node group wms-test-system: root volumes')).toBeCloseTo(8, 6);
    expect(item('EKS node group wms-test-spot: root volumes')).toBeCloseTo(12, 6);
  });

  it('prices NAT gateways by the hour and the assumed data through them, and their public addresses', () => {
    expect(item('NAT gateways')).toBeCloseTo(2 * 730 * 0.05, 6); // 73
    expect(item('NAT gateways: data processed')).toBeCloseTo(2 * 10 * 0.05, 6); // 1
    expect(item('public IPv4')).toBeCloseTo(2 * 730 * 0.005, 6); // 7.3
  });

  it('prices interface endpoints per AZ and leaves gateway endpoints free', () => {
    expect(item('VPC interface endpoints')).toBeCloseTo(3 * 730 * 0.01, 6); // one endpoint in 3 subnets
  });

  it('prices provisioned Aurora instances by class, storage and I/O by assumption, and the proxy per vCPU', () => {
    expect(item('Aurora wms-test-db-writer: db.r6g.large')).toBeCloseTo(730 * 0.3, 6); // 219
    expect(item('Aurora wms-test-db: storage')).toBeCloseTo(100 * 0.1, 6);
    expect(item('Aurora wms-test-db: I/O requests')).toBeCloseTo(5 * 0.2, 6);
    expect(item('RDS Proxy')).toBeCloseTo(2 * 730 * 0.02, 6); // db.r6g.large: 2 vCPUs, 29.2
  });

  it('prices the EKS control plane, keys, secrets (with the RDS-managed one), alarms, logs, zones and WAF', () => {
    expect(item('EKS control plane')).toBeCloseTo(73, 6);
    expect(item('KMS')).toBe(2);
    expect(item('Secrets Manager')).toBeCloseTo(0.8, 6); // one secret + the managed master secret
    expect(item('CloudWatch metric alarms')).toBeCloseTo(0.3, 6);
    expect(item('CloudWatch Logs ingested')).toBeCloseTo(1 * 3 * 0.5, 6);
    expect(item('Route 53')).toBe(0.5);
    expect(item('WAF web ACL wms-test-web:')).toBe(2); // 2 rules x 1
    expect(item('WAF web ACL wms-test-web: requests')).toBeCloseTo(4 * 0.6, 6);
  });

  it('totals every line: 73 + 146 + 8 + 109.5 + 12 + 73 + 1 + 7.3 + 21.9 + 219 + 10 + 1 + 29.2 + 2 + 0.8 + 0.3 + 1.5 + 0.5 + 5 + 2 + 2.4', () => {
    expect(estimate.monthlyUsd).toBeCloseTo(725.4, 6);
    expect(estimate.region).toBe('eu-west-1');
    expect(estimate.environment).toBe('test');
  });

  it('lists what it does not count, by reason', () => {
    expect(estimate.notCounted).toEqual([
      { type: 'aws_db_proxy_target', count: 1, reason: 'free' },
      { type: 'aws_iam_role', count: 1, reason: 'free' },
      { type: 'aws_launch_template', count: 1, reason: 'free' },
      { type: 'aws_s3_bucket', count: 1, reason: 'usage' },
      { type: 'aws_something_new', count: 1, reason: 'unclassified' },
      { type: 'aws_vpc', count: 1, reason: 'free' },
    ]);
  });

  it('prices Serverless v2 at min_capacity plus the assumed ACUs above it, and its proxy at the 8-ACU minimum', () => {
    const serverless = fixtureStack({ serverless: { min_capacity: 2, max_capacity: 8 } });
    const lines = estimateStack('s', serverless, prices).lines;
    // (2 + 1) ACU x 730 x 0.1 = 219; proxy max(8, 3) x 730 x 0.02 = 116.8
    expect(lines.find((line) => line.item.includes('Serverless v2'))?.monthlyUsd).toBeCloseTo(219, 6);
    expect(lines.find((line) => line.item.startsWith('RDS Proxy'))?.monthlyUsd).toBeCloseTo(116.8, 6);
  });

  it('makes one load balancer per ALB Ingress, or per ingress group', () => {
    const app = fixtureStack({
      ingresses: [{}, {}, { group: 'shared' }, { group: 'shared' }, { className: 'nginx' }],
    });
    const albs = estimateStack('s', app, prices).lines.find((line) =>
      line.item.startsWith('Application Load'),
    );
    expect(albs?.monthlyUsd).toBeCloseTo(3 * 730 * 0.02, 6);
  });

  it("adds a load balancer per ALB Ingress a Helm release's values enable (Grafana's), not a disabled or nginx one", () => {
    const json = fixtureStack({ ingresses: [{}] }) as { resource: Record<string, unknown> };
    const release = (values: unknown) => ({ name: 'r', chart: 'c', values: [JSON.stringify(values)] });
    json.resource.helm_release = {
      kps: release({
        grafana: { ingress: { enabled: true, ingressClassName: 'alb', hosts: ['g.example.com'] } },
      }),
      off: release({ grafana: { ingress: { enabled: false, ingressClassName: 'alb' } } }),
      nginx: release({ web: { ingress: { enabled: true, ingressClassName: 'nginx' } } }),
    };
    const albs = estimateStack('s', json, prices).lines.find((line) =>
      line.item.startsWith('Application Load'),
    );
    expect(albs?.monthlyUsd).toBeCloseTo(2 * 730 * 0.02, 6);
  });

  it('finds chart Ingresses at any depth, with their ingress group', () => {
    expect(
      chartAlbIngresses({
        grafana: { ingress: { enabled: true, ingressClassName: 'alb' } },
        list: [
          {
            ingress: {
              enabled: true,
              annotations: {
                'kubernetes.io/ingress.class': 'alb',
                'alb.ingress.kubernetes.io/group.name': 'g',
              },
            },
          },
        ],
      }),
    ).toEqual([
      ['grafana.ingress', undefined],
      ['list[0].ingress', 'g'],
    ]);
  });

  it('counts only the working hours of what EventBridge Scheduler stops at night (node group, Aurora)', () => {
    const withSchedules = (startCron: string) => {
      const json = fixtureStack() as { resource: Record<string, unknown> };
      const schedule = (expression: string, arn: string, input: unknown) => ({
        schedule_expression: expression,
        target: { arn: `arn:aws:scheduler:::aws-sdk:${arn}`, input: JSON.stringify(input) },
      });
      const nodes = (desired: number) => ({
        ClusterName: 'wms-test-eks',
        NodegroupName: '${aws_eks_node_group.system.node_group_name}',
        ScalingConfig: { MinSize: desired, DesiredSize: desired, MaxSize: 4 },
      });
      json.resource.aws_scheduler_schedule = {
        nodesStop: schedule('cron(0 19 ? * MON-FRI *)', 'eks:updateNodegroupConfig', nodes(0)),
        nodesStart: schedule(startCron, 'eks:updateNodegroupConfig', nodes(2)),
        dbStop: schedule('cron(0 19 ? * MON-FRI *)', 'rds:stopDBCluster', {
          DbClusterIdentifier: 'wms-test-db',
        }),
        dbStart: schedule(startCron, 'rds:startDBCluster', { DbClusterIdentifier: 'wms-test-db' }),
      };
      const lines = estimateStack('s', json, prices).lines;
      return (start: string) => lines.find((line) => line.item.startsWith(start));
    };
    // Running MON-FRI 06:30-19:00: 5 x 750 minutes of the week's 10080.
    const share = (5 * 750) / 10080;
    const line = withSchedules('cron(30 6 ? * MON-FRI *)');
    expect(line('EKS node group wms-test-system: 2')?.monthlyUsd).toBeCloseTo(146 * share, 6); // 54.32
    expect(line('EKS node group wms-test-system: 2')?.detail).toContain('x 0.372 (working hours)');
    expect(line('Aurora wms-test-db-writer')?.monthlyUsd).toBeCloseTo(219 * share, 6); // 81.47
    expect(line('EKS node group wms-test-spot: 3')?.monthlyUsd).toBeCloseTo(109.5, 6); // not scheduled
    // A start on other days than the stop is not a working-hours pair: the whole month is counted.
    const odd = withSchedules('cron(30 6 ? * MON *)');
    expect(odd('EKS node group wms-test-system: 2')?.monthlyUsd).toBeCloseTo(146, 6);
    expect(odd('Aurora wms-test-db-writer')?.monthlyUsd).toBeCloseTo(219, 6);
  });

  it('says a missing price instead of guessing', () => {
    const json = fixtureStack({ region: 'ap-south-2' });
    expect(() => estimateStack('s', json, prices)).toThrow(MissingPriceError);
    expect(() => estimateStack('s', json, prices)).toThrow(/no price for .* in ap-south-2/);
  });

  it('states the Karpenter ceiling instead of counting its nodes', () => {
    const json = fixtureStack({ nodePoolCpu: '64' });
    expect(estimateStack('s', json, prices).notes).toEqual([
      'Karpenter NodePool general: nodes made at run time are not counted (ceiling 64 vCPUs)',
    ]);
  });
});

describe('reports', () => {
  const base = new Map([['wms-test-platform', fixtureStack()]]);
  const head = new Map([['wms-test-platform', fixtureStack({ systemNodes: 3 })]]);

  it('prints a table per environment with its total, and every assumption it used', () => {
    const text = formatEstimate(estimateTree(base, prices), prices);
    expect(text).toContain('## test (eu-west-1): 725.40 USD/month');
    expect(text).toMatch(/\| wms-test-platform \| +725\.40 \|/);
    expect(text).toContain('- spotPriceFraction = 0.5: test');
    expect(text).toContain('- natProcessedGBPerGateway = 10: test');
    expect(text).toContain('UNCLASSIFIED (add the type to cost/estimate.ts): aws_something_new');
  });

  it('shows the change per environment and per stack: one more m6i.large is 73.00 USD a month', () => {
    const markdown = formatComparison(estimateTree(base, prices), estimateTree(head, prices), prices, {
      base: 'main',
      head: 'cdktf.out',
    });
    expect(markdown).toMatch(/\| test +\| +725\.40 \| +802\.40 \| +\+77\.00 \|/); // 73 + one more 40 GiB volume (4)
    expect(markdown).toMatch(/\| wms-test-platform \| +725\.40 \| +802\.40 \| +\+77\.00 \|/);
  });

  it('says when no stack changes its cost', () => {
    const markdown = formatComparison(estimateTree(base, prices), estimateTree(base, prices), prices, {
      base: 'a',
      head: 'b',
    });
    expect(markdown).toContain('No stack changes its estimated cost.');
  });
});

describe('the committed price table', () => {
  it('records a source page, a date and a status for every price, in every region it covers', () => {
    for (const row of PRICE_TABLE.prices) {
      expect(row.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(row.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['verified', 'secondary', 'recalled']).toContain(row.status);
      expect(row.usd).toBeGreaterThan(0);
    }
    const keys = (region: string) =>
      PRICE_TABLE.prices
        .filter((row) => row.region === region)
        .map((row) => row.key)
        .sort();
    expect(keys('us-east-1')).toEqual(keys('eu-west-1'));
  });

  it('keeps the priced, free and usage-billed type lists apart', () => {
    for (const type of PRICED_TYPES) {
      expect(FREE_TYPES.has(type) || USAGE_TYPES.has(type)).toBe(false);
    }
    for (const type of FREE_TYPES) expect(USAGE_TYPES.has(type)).toBe(false);
  });

  it('classifies every AWS resource type the app synthesizes, and prices every stack of it', async () => {
    const stacks = await synthesizedAppStacks();
    const tree = estimateTree(new Map(Object.entries(stacks)), new Prices());
    const unclassified = tree.environments
      .flatMap((env) => env.stacks)
      .flatMap((stack) => stack.notCounted.filter((entry) => entry.reason === 'unclassified'))
      .map((entry) => entry.type);
    expect(unclassified).toEqual([]);
    expect(tree.monthlyUsd).toBeGreaterThan(0);
  });
});

describe('the table as data', () => {
  it('uses the test table given, not the committed one', () => {
    const custom: PriceTable = { ...TEST_PRICES, hoursPerMonth: 1 };
    const estimate = estimateStack('s', fixtureStack(), new Prices(custom));
    expect(estimate.lines.find((line) => line.item === 'EKS control plane')?.monthlyUsd).toBeCloseTo(0.1, 6);
  });
});
