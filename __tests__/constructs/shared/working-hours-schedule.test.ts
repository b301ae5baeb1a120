import { WorkingHoursSchedule } from '../../../constructs/shared/working-hours-schedule';
import type { WorkingHoursScheduleProps } from '../../../constructs/shared/working-hours-schedule';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const NODES = 'arn:aws:eks:eu-west-1:123456789012:nodegroup/wms-test/system/abc';
const CLUSTER = 'arn:aws:rds:eu-west-1:123456789012:cluster:wms-test';
const scaling = (min: number) => ({
  service: 'eks',
  action: 'updateNodegroupConfig',
  input: { ClusterName: 'wms-test', NodegroupName: 'system', ScalingConfig: { MinSize: min, MaxSize: 2 } },
});
const BASE: WorkingHoursScheduleProps = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  hours: { timeZone: 'Europe/Berlin', workdays: 'MON-FRI', start: '07:00', stop: '19:00' },
  targets: [
    { name: 'system-nodes', stop: scaling(0), start: scaling(1), resourceArn: NODES },
    {
      name: 'database',
      stop: { service: 'rds', action: 'stopDBCluster', input: { DbClusterIdentifier: 'wms-test' } },
      start: { service: 'rds', action: 'startDBCluster', input: { DbClusterIdentifier: 'wms-test' } },
      resourceArn: CLUSTER,
    },
  ],
};

function build(overrides: Partial<WorkingHoursScheduleProps> = {}) {
  const stack = awsTestStack();
  new WorkingHoursSchedule(stack, 'WorkingHours', { ...BASE, ...overrides });
  return synthJson(stack);
}

describe('WorkingHoursSchedule', () => {
  const json = build();
  const schedules = listOfType(json, 'aws_scheduler_schedule');
  const named = (name: string) => schedules.find((s) => s.name === `wms-test-${name}`) ?? {};

  it('stops each target at the end of each workday and starts it 30 minutes before the day (default lead), in the time zone', () => {
    const rows = schedules.map((s) => [s.name, s.schedule_expression, s.schedule_expression_timezone]);
    expect(rows.sort()).toEqual([
      ['wms-test-database-start', 'cron(30 6 ? * MON-FRI *)', 'Europe/Berlin'],
      ['wms-test-database-stop', 'cron(0 19 ? * MON-FRI *)', 'Europe/Berlin'],
      ['wms-test-system-nodes-start', 'cron(30 6 ? * MON-FRI *)', 'Europe/Berlin'],
      ['wms-test-system-nodes-stop', 'cron(0 19 ? * MON-FRI *)', 'Europe/Berlin'],
    ]);
    const lead = listOfType(build({ wakeLeadMinutes: 45 }), 'aws_scheduler_schedule');
    expect(lead.find((s) => s.name === 'wms-test-database-start')?.schedule_expression).toBe(
      'cron(15 6 ? * MON-FRI *)',
    );
  });

  it('calls the AWS API through the universal target with the input as given, without retries', () => {
    expect(named('system-nodes-stop').target).toMatchObject({
      arn: 'arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig',
      input: JSON.stringify(scaling(0).input),
      retry_policy: { maximum_retry_attempts: 0 },
    });
    expect(named('database-start').target).toMatchObject({
      arn: 'arn:aws:scheduler:::aws-sdk:rds:startDBCluster',
      input: '{"DbClusterIdentifier":"wms-test"}',
    });
  });

  it('has one role, trusted by the Scheduler of this account only, allowed exactly the calls on exactly the targets', () => {
    const [role] = listOfType(json, 'aws_iam_role');
    const trust = JSON.parse(String(role.assume_role_policy));
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const [policy] = listOfType(json, 'aws_iam_role_policy');
    expect(JSON.parse(String(policy.policy)).Statement).toEqual([
      { Effect: 'Allow', Action: ['eks:UpdateNodegroupConfig'], Resource: NODES },
      { Effect: 'Allow', Action: ['rds:StopDBCluster', 'rds:StartDBCluster'], Resource: CLUSTER },
    ]);
    expect(
      schedules.every((s) => (s.target as { role_arn: string }).role_arn.includes('aws_iam_role.')),
    ).toBe(true);
  });

  it.each([
    [{ hours: { ...BASE.hours, timeZone: 'Mars/Olympus' } }, 'hours.timeZone: "Mars/Olympus" is not allowed'],
    [
      { hours: { ...BASE.hours, stop: '07:00' } },
      'hours.stop: "07:00" is not allowed (HH:MM, after start 07:00)',
    ],
    [{ hours: { ...BASE.hours, start: '00:10' } }, 'hours.start: "00:10" is not allowed'],
    [{ targets: [] }, 'targets: [] is not allowed (at least one thing to stop and start)'],
  ])('GIVEN %j THEN it refuses, naming the field, the value and what is allowed', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
