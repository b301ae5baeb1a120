import { CostWatch } from '../../../constructs/observability/cost-watch';
import type { CostWatchProps } from '../../../constructs/observability/cost-watch';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:wms-test-alarms';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
const BASE: CostWatchProps = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  topicArn: TOPIC,
  topicKeyArn: KEY,
};

function build(overrides: Partial<CostWatchProps> = {}) {
  const stack = awsTestStack();
  new CostWatch(stack, 'CostWatch', { ...BASE, ...overrides });
  return { stack, json: synthJson(stack) };
}

describe('CostWatch', () => {
  const { stack, json } = build();

  it('watches cost by AWS service and alerts the topic at once on an anomaly of 100 USD or more (default)', () => {
    expect(listOfType(json, 'aws_ce_anomaly_monitor')).toEqual([
      expect.objectContaining({
        name: 'wms-test-cost-by-service',
        monitor_type: 'DIMENSIONAL',
        monitor_dimension: 'SERVICE',
      }),
    ]);
    const [subscription] = listOfType(json, 'aws_ce_anomaly_subscription');
    // SNS subscribers get individual alerts only: DAILY and WEEKLY summaries are for email.
    expect(subscription).toMatchObject({
      frequency: 'IMMEDIATE',
      subscriber: [{ type: 'SNS', address: TOPIC }],
      threshold_expression: {
        dimension: {
          key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          match_options: ['GREATER_THAN_OR_EQUAL'],
          values: ['100'],
        },
      },
    });
  });

  it('activates no cost allocation tag by default (only a payer account may)', () => {
    expect(listOfType(json, 'aws_ce_cost_allocation_tag')).toEqual([]);
    const tagged = build({ costAllocationTagKeys: ['Project', 'CostCentre'] }).json;
    expect(listOfType(tagged, 'aws_ce_cost_allocation_tag')).toEqual([
      expect.objectContaining({ tag_key: 'Project', status: 'Active' }),
      expect.objectContaining({ tag_key: 'CostCentre', status: 'Active' }),
    ]);
  });

  it('reports last week by Environment tag to the topic every Monday 08:00 UTC (default), with no code', () => {
    const [schedule] = listOfType(json, 'aws_scheduler_schedule');
    expect(schedule).toMatchObject({
      schedule_expression: 'cron(0 8 ? * MON *)',
      schedule_expression_timezone: 'UTC',
      flexible_time_window: { mode: 'OFF' },
    });
    const [machine] = listOfType(json, 'aws_sfn_state_machine');
    const definition = JSON.parse(machine.definition as string) as {
      QueryLanguage: string;
      States: Record<string, { Resource: string; Arguments: Record<string, unknown> }>;
    };
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(definition.States.LastWeek.Resource).toBe('arn:aws:states:::aws-sdk:costexplorer:getCostAndUsage');
    expect(definition.States.LastWeek.Arguments).toMatchObject({
      Granularity: 'DAILY',
      GroupBy: [{ Type: 'TAG', Key: 'Environment' }],
      TimePeriod: {
        Start: "{% $fromMillis($millis() - 604800000, '[Y0001]-[M01]-[D01]') %}",
        End: "{% $fromMillis($millis() - 0, '[Y0001]-[M01]-[D01]') %}",
      },
    });
    expect(definition.States.Publish).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Arguments: { TopicArn: TOPIC },
    });
  });

  it("lets the report's role read Cost Explorer, publish to the topic and use its key, nothing more", () => {
    const policies = listOfType(json, 'aws_iam_role_policy').map((p) => JSON.parse(p.policy as string));
    const statements = policies.flatMap((p: { Statement: unknown[] }) => p.Statement);
    expect(statements).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'ce:GetCostAndUsage', Resource: '*' },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
        { Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: KEY },
      ]),
    );
    expect(statements).toHaveLength(4); // and the scheduler's states:StartExecution on the state machine
  });

  it('takes another threshold, schedule and time zone', () => {
    const other = build({
      anomalyThresholdUsd: 50,
      weeklyReportSchedule: 'cron(0 7 ? * FRI *)',
      weeklyReportTimeZone: 'Europe/Paris',
    }).json;
    expect(JSON.stringify(listOfType(other, 'aws_ce_anomaly_subscription'))).toContain('"values":["50"]');
    expect(listOfType(other, 'aws_scheduler_schedule')[0]).toMatchObject({
      schedule_expression: 'cron(0 7 ? * FRI *)',
      schedule_expression_timezone: 'Europe/Paris',
    });
  });

  it.each([
    [{ anomalyThresholdUsd: 0 }, /anomalyThresholdUsd: 0 is not allowed \(a positive number of USD\)/],
    [{ weeklyReportSchedule: 'rate(7 days)' }, /weeklyReportSchedule: "rate\(7 days\)" is not allowed/],
  ])('GIVEN %j THEN it names the prop, the value and what is allowed', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  it('passes the guardrails (tags aside: the test stack has no default_tags; the baseline stack test has them)', () => {
    const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
    expect(result.findings.filter((finding) => finding.ruleId !== 'WMS_TAG_001')).toEqual([]);
  });
});
