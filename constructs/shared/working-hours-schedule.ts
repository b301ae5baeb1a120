import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { Construct } from 'constructs';
import { serviceRole } from './iam';
import { physicalName } from './naming';
import type { WorkingHours } from '../../shared/working-hours';
import { DEFAULT_WAKE_LEAD_MINUTES, minutesOfDay, workingHoursProblems } from '../../shared/working-hours';

/** One AWS SDK call of EventBridge Scheduler's universal target (`arn:aws:scheduler:::aws-sdk:<service>:<action>`). */
export interface SdkCall {
  /** SDK service identifier, e.g. `eks`. */
  readonly service: string;
  /** SDK action in camelCase, e.g. `updateNodegroupConfig`; its IAM action is the same in PascalCase. */
  readonly action: string;
  /** The request parameters, as the SDK names them (PascalCase), e.g. `{ DbClusterIdentifier: ... }`. */
  readonly input: Readonly<Record<string, unknown>>;
}

/** Something stopped at the end of the day and started before the next one. */
export interface WorkingHoursTarget {
  /** Short name, used in construct ids and schedule names, e.g. `system-nodes`. */
  readonly name: string;
  /** The call that stops it. */
  readonly stop: SdkCall;
  /** The call that starts it again. */
  readonly start: SdkCall;
  /** The ARN of the resource the calls act on: the scheduler role may act on nothing else. */
  readonly resourceArn: string;
}

export type { WorkingHours };

/** Properties of {@link WorkingHoursSchedule}. */
export interface WorkingHoursScheduleProps {
  /** Prefix of the physical names, e.g. `wms-dev`. */
  readonly namePrefix: string;
  /** The account (the scheduler role trusts only this account's schedules). */
  readonly accountId: string;
  /** When the environment runs. */
  readonly hours: WorkingHours;
  /** What is stopped and started. */
  readonly targets: readonly WorkingHoursTarget[];
  /**
   * Minutes before `hours.start` the start calls are made, so that nodes have joined and the database is
   * available when the day starts (a stopped Aurora cluster takes several minutes to start).
   * @default 30
   */
  readonly wakeLeadMinutes?: number;
}

/** The EventBridge Scheduler cron expression for `minutes` after midnight on `workdays`. */
function cron(minutes: number, workdays: string): string {
  return `cron(${minutes % 60} ${Math.floor(minutes / 60)} ? * ${workdays} *)`;
}

/** The IAM action of an SDK call: `rds:stopDBCluster` -> `rds:StopDBCluster`. */
function iamAction(call: SdkCall): string {
  return `${call.service}:${call.action[0].toUpperCase()}${call.action.slice(1)}`;
}

/**
 * Stops resources at the end of each workday and starts them again before the next one, in the working hours'
 * time zone: two EventBridge Scheduler schedules per target, each calling one AWS API through the universal
 * target (no Lambda code), with one role allowed exactly those API actions on exactly those resources.
 *
 * Calls that fail (e.g. stopping what is already stopped) are not retried: the next day's calls set the state again.
 */
export class WorkingHoursSchedule extends Construct {
  /** Names of the schedules, stop and start per target. */
  readonly scheduleNames: readonly string[];

  constructor(scope: Construct, id: string, props: WorkingHoursScheduleProps) {
    super(scope, id);
    const lead = props.wakeLeadMinutes ?? DEFAULT_WAKE_LEAD_MINUTES;
    const problems = workingHoursProblems(props.hours, 'hours', lead);
    if (props.targets.length === 0)
      problems.push('targets: [] is not allowed (at least one thing to stop and start)');
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join('; ')}`);
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);

    const role = serviceRole(this, 'Role', {
      name: name('working-hours'),
      description: 'EventBridge Scheduler: stops and starts the environment outside working hours',
      service: 'scheduler.amazonaws.com',
      accountId: props.accountId,
      statements: props.targets.map((target) => ({
        Effect: 'Allow',
        Action: [...new Set([iamAction(target.stop), iamAction(target.start)])],
        Resource: target.resourceArn,
      })),
    });

    const stopAt = cron(minutesOfDay(props.hours.stop) as number, props.hours.workdays);
    const wakeAt = cron((minutesOfDay(props.hours.start) as number) - lead, props.hours.workdays);
    const names: string[] = [];
    for (const target of props.targets) {
      for (const [when, call, expression] of [
        ['stop', target.stop, stopAt],
        ['start', target.start, wakeAt],
      ] as const) {
        const scheduleName = name(target.name, when);
        names.push(scheduleName);
        new SchedulerSchedule(this, `${pascal(target.name)}${pascal(when)}`, {
          name: scheduleName,
          description:
            `${when} ${target.name} (${call.service}:${call.action}); working hours ` +
            `${props.hours.start}-${props.hours.stop} ${props.hours.workdays} ${props.hours.timeZone}`,
          scheduleExpression: expression,
          scheduleExpressionTimezone: props.hours.timeZone,
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: `arn:aws:scheduler:::aws-sdk:${call.service}:${call.action}`,
            roleArn: role.arn,
            input: JSON.stringify(call.input),
            retryPolicy: { maximumRetryAttempts: 0 },
          },
        });
      }
    }
    this.scheduleNames = names;
  }
}

function pascal(text: string): string {
  return text
    .split('-')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
