import { AccountBaseline } from '../../../constructs/observability/account-baseline';
import type { AccountBaselineProps } from '../../../constructs/observability/account-baseline';
import { CIS_CONTROLS } from '../../../constructs/observability/cis-metric-filters';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const PROPS: AccountBaselineProps = {
  namePrefix: 'wms-baseline',
  accountId: '123456789012',
  region: 'eu-west-1',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:wms-baseline-alarms',
};

function synth(overrides: Partial<AccountBaselineProps> = {}) {
  const stack = awsTestStack();
  const baseline = new AccountBaseline(stack, 'Baseline', { ...PROPS, ...overrides });
  return { baseline, json: synthJson(stack) };
}

/** The event patterns of the rules, in the order GuardDuty, Security Hub, Access Analyzer, Inspector. */
const patterns = (json: ReturnType<typeof synthJson>) => {
  const all = listOfType(json, 'aws_cloudwatch_event_rule').map((rule) =>
    JSON.parse(rule.event_pattern as string),
  );
  return ['aws.guardduty', 'aws.securityhub', 'aws.access-analyzer', 'aws.inspector2'].map((source) =>
    all.find((pattern) => pattern.source[0] === source),
  );
};

describe('AccountBaseline', () => {
  const { baseline, json } = synth();

  it('by default manages every item itself (no organization declaration)', () => {
    expect(baseline.items).toEqual([
      'cloudtrail',
      'guardduty',
      'securityHub',
      'config',
      'accessAnalyzer',
      'inspector',
    ]);
  });

  it('records every region into a validated, encrypted trail delivered to CloudWatch Logs', () => {
    expect(listOfType(json, 'aws_cloudtrail')).toEqual([
      expect.objectContaining({
        is_multi_region_trail: true,
        include_global_service_events: true,
        enable_log_file_validation: true,
        kms_key_id: expect.stringMatching(/aws_kms_key/),
        cloud_watch_logs_group_arn: expect.stringMatching(/aws_cloudwatch_log_group.*:\*$/),
        depends_on: [expect.stringMatching(/aws_s3_bucket_policy/)],
      }),
    ]);
  });

  it('by default locks the trail bucket in COMPLIANCE mode for 365 days and logs access to it', () => {
    const buckets = listOfType(json, 'aws_s3_bucket');
    expect(buckets.find((b) => b.bucket === 'wms-baseline-trail-123456789012-eu-west-1')).toEqual(
      expect.objectContaining({ object_lock_enabled: true }),
    );
    expect(listOfType(json, 'aws_s3_bucket_object_lock_configuration')).toEqual([
      expect.objectContaining({ rule: { default_retention: { mode: 'COMPLIANCE', days: 365 } } }),
    ]);
    expect(listOfType(json, 'aws_s3_bucket_logging')).toEqual([
      expect.objectContaining({ target_prefix: 'wms-baseline-trail-123456789012-eu-west-1/' }),
    ]);
  });

  it('has one metric filter and one alarm to the topic per CIS control, IAM policy changes included', () => {
    const filters = listOfType(json, 'aws_cloudwatch_log_metric_filter');
    const alarms = listOfType(json, 'aws_cloudwatch_metric_alarm');
    expect(filters.map((f) => f.pattern).sort()).toEqual(CIS_CONTROLS.map((c) => c.pattern).sort());
    expect(CIS_CONTROLS.map((c) => c.control)).toEqual(
      Array.from({ length: 14 }, (_, index) => `CloudWatch.${index + 1}`),
    );
    expect(alarms).toHaveLength(14);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([PROPS.alarmTopicArn]);
    expect(alarms.map((a) => a.alarm_name)).toContain('wms-baseline-cis-iam-policy-changes');
  });

  it('enables GuardDuty with S3, EKS audit logs, runtime monitoring, RDS logins and malware protection', () => {
    const features = listOfType(json, 'aws_guardduty_detector_feature');
    expect(features.map((f) => f.name).sort()).toEqual([
      'EBS_MALWARE_PROTECTION',
      'EKS_AUDIT_LOGS',
      'RDS_LOGIN_EVENTS',
      'RUNTIME_MONITORING',
      'S3_DATA_EVENTS',
    ]);
    expect(features.find((f) => f.name === 'RUNTIME_MONITORING')?.additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
    ]);
  });

  it('subscribes Security Hub to FSBP and CIS 1.4.0 only, records every resource in Config, analyzes access and scans ECR', () => {
    expect(listOfType(json, 'aws_securityhub_account')).toEqual([
      expect.objectContaining({ enable_default_standards: false }),
    ]);
    expect(
      listOfType(json, 'aws_securityhub_standards_subscription')
        .map((s) => s.standards_arn)
        .sort(),
    ).toEqual([
      'arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0',
      'arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0',
    ]);
    expect(listOfType(json, 'aws_config_configuration_recorder')[0].recording_group).toEqual({
      all_supported: true,
      include_global_resource_types: true,
    });
    expect(listOfType(json, 'aws_accessanalyzer_analyzer')).toEqual([
      expect.objectContaining({ type: 'ACCOUNT' }),
    ]);
    expect(listOfType(json, 'aws_ecr_registry_scanning_configuration')).toEqual([
      expect.objectContaining({ scan_type: 'ENHANCED' }),
    ]);
  });

  it('by default sends HIGH and CRITICAL findings (GuardDuty >= 7) to the topic', () => {
    const [guardDuty, securityHub, accessAnalyzer, inspector] = patterns(json);
    expect(guardDuty.detail).toEqual({ severity: [{ numeric: ['>=', 7] }] });
    expect(securityHub.detail.findings.Severity.Label).toEqual(['HIGH', 'CRITICAL']);
    expect(accessAnalyzer.detail).toEqual({ status: ['ACTIVE'] });
    expect(inspector.detail.severity).toEqual(['HIGH', 'CRITICAL']);
    for (const target of listOfType(json, 'aws_cloudwatch_event_target')) {
      expect(target.arn).toBe(PROPS.alarmTopicArn);
    }
  });

  it('GIVEN findingsMinSeverity MEDIUM THEN GuardDuty from 4 and every labelled finding from MEDIUM', () => {
    const [guardDuty, securityHub] = patterns(synth({ findingsMinSeverity: 'MEDIUM' }).json);
    expect(guardDuty.detail.severity).toEqual([{ numeric: ['>=', 4] }]);
    expect(securityHub.detail.findings.Severity.Label).toEqual(['MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it('GIVEN GOVERNANCE and 90 days THEN the trail bucket is locked that way', () => {
    const { json } = synth({ trailLockMode: 'GOVERNANCE', trailRetentionDays: 90 });
    expect(listOfType(json, 'aws_s3_bucket_object_lock_configuration')[0].rule).toEqual({
      default_retention: { mode: 'GOVERNANCE', days: 90 },
    });
  });

  it('GIVEN the organization provides the trail and GuardDuty THEN neither (nor the CIS alarms) is created here', () => {
    const { baseline, json } = synth({ organizationProvides: ['cloudtrail', 'guardduty'] });
    expect(baseline.items).toEqual(['securityHub', 'config', 'accessAnalyzer', 'inspector']);
    expect(listOfType(json, 'aws_cloudtrail')).toEqual([]);
    expect(listOfType(json, 'aws_cloudwatch_metric_alarm')).toEqual([]);
    expect(listOfType(json, 'aws_guardduty_detector')).toEqual([]);
    expect(listOfType(json, 'aws_config_delivery_channel')[0].s3_bucket_name).toBe(
      'wms-baseline-config-123456789012',
    );
  });

  it.each<[string, Partial<AccountBaselineProps>, RegExp]>([
    [
      'an unknown item',
      { organizationProvides: ['cloudtrial' as never] },
      /organizationProvides\[0\]: "cloudtrial"/,
    ],
    [
      'an item twice',
      { organizationProvides: ['config', 'config'] },
      /organizationProvides\[1\]: "config" .*each once/,
    ],
    ['30 days of trail', { trailRetentionDays: 30 }, /trailRetentionDays: 30 .*90 to 3650/],
    [
      'a severity LOW',
      { findingsMinSeverity: 'LOW' as never },
      /findingsMinSeverity: "LOW" .*MEDIUM, HIGH, CRITICAL/,
    ],
  ])('GIVEN %s THEN refuses it, naming the prop', (_, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});
