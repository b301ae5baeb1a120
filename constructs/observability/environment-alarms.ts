import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { physicalName } from '../shared/naming';

/** Properties of {@link EnvironmentAlarms}. */
export interface EnvironmentAlarmsProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** SNS topic every alarm and budget alert notifies. */
  readonly alarmTopicArn: string;
  /** NAT gateway ids of the environment. */
  readonly natGatewayIds: readonly string[];
  /** Monthly cost budget of the environment's account, in USD. */
  readonly monthlyBudgetUsd: number;
  /**
   * Load balancer 5XX responses (its own and its targets') per 5 minutes that raise the alarm.
   * @default 50
   */
  readonly loadBalancer5xxPer5Minutes?: number;
}

/** The runbook of every alarm here. */
const RUNBOOK = 'docs/runbooks/aws-alarms.md';

/**
 * CloudWatch alarms for what Prometheus, running inside the cluster, cannot see (or cannot report when the
 * cluster itself is down): the load balancer's 5XX responses and unhealthy targets, NAT gateway errors, plus an
 * AWS Budgets budget for the account with alerts at 80% and 100% of the monthly amount (and 100% forecast).
 *
 * The load balancer is created by the AWS Load Balancer Controller, not by Terraform, so its id is unknown here:
 * the alarms use CloudWatch Metrics Insights queries over every Application Load Balancer of the account, which is
 * the environment's only one (one account per environment).
 */
export class EnvironmentAlarms extends Construct {
  constructor(scope: Construct, id: string, props: EnvironmentAlarmsProps) {
    super(scope, id);
    const threshold5xx = props.loadBalancer5xxPer5Minutes ?? 50;
    if (!Number.isFinite(props.monthlyBudgetUsd) || props.monthlyBudgetUsd <= 0) {
      throw propError(this, 'monthlyBudgetUsd', props.monthlyBudgetUsd, 'an amount of USD above 0');
    }
    if (!Number.isInteger(threshold5xx) || threshold5xx < 1) {
      throw propError(this, 'loadBalancer5xxPer5Minutes', threshold5xx, 'a whole number >= 1');
    }
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);
    const actions = { alarmActions: [props.alarmTopicArn], okActions: [props.alarmTopicArn] };

    const insights = (
      alarmId: string,
      description: string,
      query: string,
      threshold: number,
      periods: number,
    ) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: name(alarmId.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
        alarmDescription: `${description}. Runbook: ${RUNBOOK}`,
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: periods,
        threshold,
        // No load balancer (no ingress yet) means no data: that is not an outage of the load balancer.
        treatMissingData: 'notBreaching',
        metricQuery: [{ id: 'q1', expression: query, period: 300, returnData: true }],
        ...actions,
      });
    insights(
      'LoadBalancer5xx',
      `More than ${threshold5xx} 5XX responses in 5 minutes from the load balancer or its targets`,
      'SELECT SUM(HTTPCode_ELB_5XX_Count) + SUM(HTTPCode_Target_5XX_Count) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer)',
      threshold5xx,
      1,
    );
    insights(
      'LoadBalancerUnhealthyTargets',
      'A target group of the load balancer has had unhealthy targets for 10 minutes',
      'SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup)',
      0,
      2,
    );

    props.natGatewayIds.forEach((natGatewayId, index) => {
      for (const [metricName, what] of [
        ['ErrorPortAllocation', 'could not allocate a source port'],
        ['PacketsDropCount', 'dropped packets'],
      ] as const) {
        new CloudwatchMetricAlarm(this, `Nat${index}${metricName}`, {
          alarmName: name('nat', String(index), metricName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
          alarmDescription: `NAT gateway ${index} ${what}: egress from its AZ is failing. Runbook: ${RUNBOOK}`,
          namespace: 'AWS/NATGateway',
          metricName,
          dimensions: { NatGatewayId: natGatewayId },
          statistic: 'Sum',
          period: 300,
          evaluationPeriods: 2,
          threshold: 0,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          ...actions,
        });
      }
    });

    const notify = (threshold: number, notificationType: 'ACTUAL' | 'FORECASTED') => ({
      comparisonOperator: 'GREATER_THAN',
      threshold,
      thresholdType: 'PERCENTAGE',
      notificationType,
      subscriberSnsTopicArns: [props.alarmTopicArn],
    });
    new BudgetsBudget(this, 'MonthlyBudget', {
      name: name('monthly'),
      budgetType: 'COST',
      limitAmount: props.monthlyBudgetUsd.toFixed(2),
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
      notification: [notify(80, 'ACTUAL'), notify(100, 'ACTUAL'), notify(100, 'FORECASTED')],
    });
  }
}
