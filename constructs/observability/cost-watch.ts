import { CeAnomalyMonitor } from '@cdktf/provider-aws/lib/ce-anomaly-monitor';
import { CeAnomalySubscription } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import { physicalName } from '../shared/naming';

/** Properties of {@link CostWatch}. */
export interface CostWatchProps {
  /** Prefix of the physical names, e.g. `wms-baseline`. */
  readonly namePrefix: string;
  /** The account. */
  readonly accountId: string;
  /** The subscribed SNS topic the anomaly alerts and the weekly report go to (its policy admits Cost Anomaly Detection). */
  readonly topicArn: string;
  /** The key encrypting the topic: the report's role encrypts its message with it. */
  readonly topicKeyArn: string;
  /** Something the anomaly subscription waits for: the topic policy that lets Cost Anomaly Detection publish. */
  readonly topicPolicy?: ITerraformDependable;
  /**
   * Alert on an anomaly whose total impact is at least this many USD (per anomaly, across services).
   * @default 100
   */
  readonly anomalyThresholdUsd?: number;
  /**
   * Tag keys to activate as cost allocation tags, so Cost Explorer and the reports can group by them. Only the
   * payer account of an AWS Organization may activate tags (others get AccessDenied), and a key must have been
   * seen on a billed resource first (up to 24 hours): leave empty in member accounts and on a first apply.
   * @default - none
   */
  readonly costAllocationTagKeys?: readonly string[];
  /**
   * When the weekly cost report is sent: an EventBridge Scheduler cron expression.
   * @default 'cron(0 8 ? * MON *)'
   */
  readonly weeklyReportSchedule?: string;
  /**
   * Time zone of the schedule (IANA name).
   * @default 'UTC'
   */
  readonly weeklyReportTimeZone?: string;
}

const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

/**
 * The account's cost watch: Cost Anomaly Detection by AWS service with individual alerts to the subscribed topic,
 * a weekly cost report to the same topic, and the activation of the cost allocation tags.
 *
 * Cost Anomaly Detection sends to SNS only individual (`IMMEDIATE`) alerts; its daily and weekly summaries go to
 * email addresses only (Billing and Cost Management user guide, "Creating your cost monitors and alert
 * subscriptions"). So the weekly report is a Step Functions state machine, started every week by EventBridge
 * Scheduler, that asks Cost Explorer (`GetCostAndUsage`, last 7 days, daily, by `Environment` tag) and publishes
 * the result to the topic: no code to run, one Cost Explorer request (0.01 USD) a week.
 */
export class CostWatch extends Construct {
  /** The anomaly monitor (escape hatch). */
  readonly monitor: CeAnomalyMonitor;
  /** The weekly report's state machine (escape hatch). */
  readonly report: SfnStateMachine;

  constructor(scope: Construct, id: string, props: CostWatchProps) {
    super(scope, id);
    const threshold = props.anomalyThresholdUsd ?? 100;
    if (!Number.isFinite(threshold) || threshold <= 0) {
      throw propError(this, 'anomalyThresholdUsd', threshold, 'a positive number of USD');
    }
    const schedule = props.weeklyReportSchedule ?? 'cron(0 8 ? * MON *)';
    if (!CRON.test(schedule)) {
      throw propError(this, 'weeklyReportSchedule', schedule, 'an EventBridge cron(...) with six fields');
    }
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);

    this.monitor = new CeAnomalyMonitor(this, 'Monitor', {
      name: name('cost-by-service'),
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    new CeAnomalySubscription(this, 'Alerts', {
      name: name('cost-anomalies'),
      // SNS subscribers take individual alerts only; DAILY and WEEKLY are for email subscribers.
      frequency: 'IMMEDIATE',
      monitorArnList: [this.monitor.arn],
      subscriber: [{ type: 'SNS', address: props.topicArn }],
      thresholdExpression: {
        dimension: {
          key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          matchOptions: ['GREATER_THAN_OR_EQUAL'],
          values: [String(threshold)],
        },
      },
      dependsOn: props.topicPolicy ? [props.topicPolicy] : undefined,
    });
    (props.costAllocationTagKeys ?? []).forEach((tagKey, index) => {
      new CeCostAllocationTag(this, `AllocationTag${index}`, { tagKey, status: 'Active' });
    });
    this.report = this.weeklyReport(props, name, schedule);
  }

  /** The state machine that reports last week's cost to the topic, and the schedule that starts it. */
  private weeklyReport(
    props: CostWatchProps,
    name: (...parts: string[]) => string,
    schedule: string,
  ): SfnStateMachine {
    const reportRole = serviceRole(this, 'ReportRole', {
      name: name('cost-report'),
      description: 'Weekly cost report: reads Cost Explorer, publishes to the alarm topic',
      service: 'states.amazonaws.com',
      accountId: props.accountId,
      statements: [
        { Effect: 'Allow', Action: 'ce:GetCostAndUsage', Resource: '*' },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: props.topicArn },
        { Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: props.topicKeyArn },
      ],
    });
    // JSONata (Step Functions' query language since 2024-11) has the date arithmetic ASL's JSONPath lacks.
    const day = (offsetDays: number) =>
      `{% $fromMillis($millis() - ${offsetDays * 86_400_000}, '[Y0001]-[M01]-[D01]') %}`;
    const report = new SfnStateMachine(this, 'Report', {
      name: name('weekly-cost-report'),
      roleArn: reportRole.arn,
      type: 'STANDARD',
      definition: JSON.stringify({
        Comment: 'Last 7 days of cost, by day and Environment tag, to the alarm topic',
        QueryLanguage: 'JSONata',
        StartAt: 'LastWeek',
        States: {
          LastWeek: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:costexplorer:getCostAndUsage',
            Arguments: {
              TimePeriod: { Start: day(7), End: day(0) },
              Granularity: 'DAILY',
              Metrics: ['UnblendedCost'],
              GroupBy: [{ Type: 'TAG', Key: 'Environment' }],
            },
            Output: '{% $states.result.ResultsByTime %}',
            Next: 'Publish',
          },
          Publish: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Arguments: {
              TopicArn: props.topicArn,
              Subject: `${props.namePrefix}: weekly cost report`,
              Message:
                "{% 'Unblended cost of the last 7 days by Environment tag (USD): ' & $string($states.input) %}",
            },
            End: true,
          },
        },
      }),
    });
    const schedulerRole = serviceRole(this, 'SchedulerRole', {
      name: name('cost-report-scheduler'),
      description: 'Starts the weekly cost report',
      service: 'scheduler.amazonaws.com',
      accountId: props.accountId,
      statements: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: report.arn }],
    });
    new SchedulerSchedule(this, 'ReportSchedule', {
      name: name('weekly-cost-report'),
      scheduleExpression: schedule,
      scheduleExpressionTimezone: props.weeklyReportTimeZone ?? 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: report.arn, roleArn: schedulerRole.arn },
    });
    return report;
  }
}
