import type { EnvironmentAlarmsProps } from '../../../constructs/observability/environment-alarms';
import { EnvironmentAlarms } from '../../../constructs/observability/environment-alarms';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: EnvironmentAlarmsProps = {
  namePrefix: 'wms-test',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:wms-test-alarms',
  natGatewayIds: ['nat-a', 'nat-b'],
  monthlyBudgetUsd: 1500,
};

function build(overrides: Partial<EnvironmentAlarmsProps> = {}) {
  const stack = awsTestStack();
  new EnvironmentAlarms(stack, 'Alarms', { ...BASE, ...overrides });
  return synthJson(stack);
}

type Row = Record<string, unknown>;

describe('EnvironmentAlarms', () => {
  const json = build();
  const alarms = listOfType(json, 'aws_cloudwatch_metric_alarm');
  const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name as string, a]));

  it('alarms on the load balancer 5XX responses through a Metrics Insights query, 50 per 5 minutes by default', () => {
    expect(byName['wms-test-load-balancer5xx']).toMatchObject({
      threshold: 50,
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
      alarm_actions: [BASE.alarmTopicArn],
      ok_actions: [BASE.alarmTopicArn],
      metric_query: [
        expect.objectContaining({
          expression: expect.stringContaining('SUM(HTTPCode_ELB_5XX_Count) + SUM(HTTPCode_Target_5XX_Count)'),
          period: 300,
          return_data: true,
        }),
      ],
    });
  });

  it('alarms on unhealthy targets for 10 minutes', () => {
    const alarm = byName['wms-test-load-balancer-unhealthy-targets'];
    expect((alarm.metric_query as Row[])[0].expression).toContain('MAX(UnHealthyHostCount)');
    expect(alarm).toMatchObject({ threshold: 0, evaluation_periods: 2 });
  });

  it('alarms on port allocation errors and dropped packets of every NAT gateway', () => {
    const nat = alarms.filter((a) => a.namespace === 'AWS/NATGateway');
    expect(nat.map((a) => [(a.dimensions as Row).NatGatewayId, a.metric_name]).sort()).toEqual([
      ['nat-a', 'ErrorPortAllocation'],
      ['nat-a', 'PacketsDropCount'],
      ['nat-b', 'ErrorPortAllocation'],
      ['nat-b', 'PacketsDropCount'],
    ]);
    expect(nat.every((a) => (a.alarm_description as string).includes('docs/runbooks/aws-alarms.md'))).toBe(
      true,
    );
  });

  it('budgets the month, alerting the topic at 80% and 100% actual and 100% forecast', () => {
    expect(listOfType(json, 'aws_budgets_budget')).toEqual([
      expect.objectContaining({
        name: 'wms-test-monthly',
        budget_type: 'COST',
        limit_amount: '1500.00',
        limit_unit: 'USD',
        time_unit: 'MONTHLY',
        notification: [
          expect.objectContaining({
            threshold: 80,
            notification_type: 'ACTUAL',
            subscriber_sns_topic_arns: [BASE.alarmTopicArn],
          }),
          expect.objectContaining({ threshold: 100, notification_type: 'ACTUAL' }),
          expect.objectContaining({ threshold: 100, notification_type: 'FORECASTED' }),
        ],
      }),
    ]);
  });

  it('GIVEN a 5XX threshold THEN it is used', () => {
    const alarm = listOfType(build({ loadBalancer5xxPer5Minutes: 10 }), 'aws_cloudwatch_metric_alarm').find(
      (a) => a.alarm_name === 'wms-test-load-balancer5xx',
    );
    expect(alarm?.threshold).toBe(10);
  });

  it.each([
    [
      { monthlyBudgetUsd: 0 },
      /test\/Alarms: monthlyBudgetUsd: 0 is not allowed \(an amount of USD above 0\)/,
    ],
    [
      { loadBalancer5xxPer5Minutes: 0 },
      /loadBalancer5xxPer5Minutes: 0 is not allowed \(a whole number >= 1\)/,
    ],
  ])('GIVEN %j THEN it names the prop', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
