import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { Inspector2Enabler } from '@cdktf/provider-aws/lib/inspector2-enabler';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import { Construct } from 'constructs';
import type { BaselineItem, FindingSeverity } from '../../shared/baseline';
import { BASELINE_ITEMS, FINDING_SEVERITIES } from '../../shared/baseline';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import { physicalName } from '../shared/naming';
import { SecureBucket } from '../shared/secure-bucket';
import { CIS_CONTROLS } from './cis-metric-filters';

/** Properties of an {@link AccountBaseline}. */
export interface AccountBaselineProps {
  /** Prefix of physical names, e.g. `wms-baseline`. */
  readonly namePrefix: string;
  /** The account. */
  readonly accountId: string;
  /** The region of the trail's bucket and log group (the trail itself covers every region). */
  readonly region: string;
  /** SNS topic (with subscribers) that the CIS alarms and the findings notify. */
  readonly alarmTopicArn: string;
  /**
   * Items the AWS Organization provides to this account (an organization trail, delegated GuardDuty...), which
   * this construct then leaves out.
   * @default - none: the account has every item of its own
   */
  readonly organizationProvides?: readonly BaselineItem[];
  /**
   * Findings of GuardDuty, Security Hub and Inspector at or above this severity are notified.
   * @default 'HIGH'
   */
  readonly findingsMinSeverity?: FindingSeverity;
  /**
   * Days the trail's log files are kept, and locked (S3 Object Lock) against deletion.
   * @default 365
   */
  readonly trailRetentionDays?: number;
  /**
   * S3 Object Lock mode of the trail bucket: `COMPLIANCE` (nobody, root included, can delete a log file before its
   * retention ends) or `GOVERNANCE` (users with `s3:BypassGovernanceRetention` can).
   * @default 'COMPLIANCE'
   */
  readonly trailLockMode?: 'COMPLIANCE' | 'GOVERNANCE';
}

/** GuardDuty's numeric severity at the start of each band. */
const GUARDDUTY_SEVERITY: Record<FindingSeverity, number> = { MEDIUM: 4, HIGH: 7, CRITICAL: 9 };

/** The runbook of the baseline's alarms and findings. */
const RUNBOOK = 'docs/runbooks/account-baseline.md';

/**
 * The security baseline of one AWS account: what watches the account itself, whatever the environments in it.
 *
 * - **CloudTrail**: one multi-Region trail with log file validation, encrypted with its own key, into a bucket with
 *   S3 Object Lock and server access logs, and delivered to a CloudWatch Logs group that carries one metric filter
 *   and alarm per CIS monitoring control (Security Hub CloudWatch.1-14, IAM policy changes included).
 * - **GuardDuty** with S3 data events, EKS audit logs, runtime monitoring (EKS add-on managed), RDS login
 *   activity and EBS malware protection.
 * - **Security Hub** with AWS Foundational Security Best Practices and CIS 1.4.0; an **AWS Config** recorder of
 *   all resources (Security Hub's checks need it); an **IAM Access Analyzer** (external access); **Inspector**
 *   enhanced scanning of ECR images (continuous) and EC2.
 * - Findings at or above `findingsMinSeverity` (and every active Access Analyzer finding) go through EventBridge
 *   to the topic.
 *
 * An item the AWS Organization provides (`organizationProvides`) is left out, with the alarms and rules that
 * depend on it.
 */
export class AccountBaseline extends Construct {
  /** Items this construct created (the baseline minus what the organization provides). */
  readonly items: readonly BaselineItem[];

  private readonly props: AccountBaselineProps;
  private readonly name: (...parts: string[]) => string;

  constructor(scope: Construct, id: string, props: AccountBaselineProps) {
    super(scope, id);
    const provided = props.organizationProvides ?? [];
    const retentionDays = props.trailRetentionDays ?? 365;
    provided.forEach((item, index) => {
      if (!BASELINE_ITEMS.includes(item) || provided.indexOf(item) !== index) {
        throw propError(
          this,
          `organizationProvides[${index}]`,
          item,
          `each once, one of ${BASELINE_ITEMS.join(', ')}`,
        );
      }
    });
    if (!Number.isInteger(retentionDays) || retentionDays < 90 || retentionDays > 3650) {
      throw propError(this, 'trailRetentionDays', retentionDays, 'a whole number of days from 90 to 3650');
    }
    const severity = props.findingsMinSeverity ?? 'HIGH';
    if (!FINDING_SEVERITIES.includes(severity)) {
      throw propError(this, 'findingsMinSeverity', severity, FINDING_SEVERITIES.join(', '));
    }
    this.props = props;
    this.name = (...parts) => physicalName(props.namePrefix, ...parts);
    this.items = BASELINE_ITEMS.filter((item) => !provided.includes(item));
    const has = (item: BaselineItem) => this.items.includes(item);

    const trail = has('cloudtrail')
      ? this.createTrail(retentionDays, props.trailLockMode ?? 'COMPLIANCE')
      : undefined;
    if (has('guardduty')) this.createGuardDuty(severity);
    if (has('config')) this.createConfigRecorder(trail?.bucketName);
    if (has('securityHub')) this.createSecurityHub(severity);
    if (has('accessAnalyzer')) this.createAccessAnalyzer();
    if (has('inspector')) this.createInspector(severity);
  }

  /** The trail, its locked bucket (with access logs), its log group, and one alarm per CIS control. */
  private createTrail(retentionDays: number, lockMode: 'COMPLIANCE' | 'GOVERNANCE'): { bucketName: string } {
    const { accountId, region } = this.props;
    const trailName = this.name('trail');
    const trailArn = `arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
    const logGroupName = `/aws/cloudtrail/${trailName}`;
    const bucketName = this.name('trail', accountId, region);
    const logBucketName = `${bucketName}-access-logs`;
    const key = customerKey(this, 'TrailKey', {
      description: `Encrypts the ${trailName} CloudTrail log files and log group`,
      alias: trailName,
      accountId,
      serviceStatements: [
        {
          Sid: 'CloudTrailEncryptsLogs',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceArn': trailArn },
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${accountId}:trail/*`,
            },
          },
        },
        {
          Sid: 'ConfigEncryptsSnapshots',
          Effect: 'Allow',
          Principal: {
            AWS: `arn:aws:iam::${accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Resource: '*',
        },
        logGroupKeyStatement('TrailLogGroup', region, accountId, logGroupName),
      ],
    });

    const logBucket = new SecureBucket(this, 'TrailAccessLogs', {
      bucketName: logBucketName,
      purpose: `server access logs of ${bucketName}`,
      accountId,
      encryption: 's3',
      s3EncryptionReason:
        'S3 server access log delivery supports only SSE-S3 as the destination default encryption, not SSE-KMS.',
      expirationDays: retentionDays,
      noncurrentVersionExpirationDays: 1,
      policyStatements: [
        {
          Sid: 'S3ServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${logBucketName}/${bucketName}/*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucketName}` },
            StringEquals: { 'aws:SourceAccount': accountId },
          },
        },
      ],
    });
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const delivery = (sid: string, service: string, prefix: string) => [
      {
        Sid: `${sid}AclCheck`,
        Effect: 'Allow' as const,
        Principal: { Service: service },
        Action: ['s3:GetBucketAcl', 's3:ListBucket'],
        Resource: bucketArn,
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
      {
        Sid: `${sid}Write`,
        Effect: 'Allow' as const,
        Principal: { Service: service },
        Action: 's3:PutObject',
        Resource: `${bucketArn}/${prefix}AWSLogs/${accountId}/*`,
        Condition: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': accountId },
        },
      },
    ];
    const bucket = new SecureBucket(this, 'TrailBucket', {
      bucketName,
      purpose: 'CloudTrail log files and AWS Config snapshots',
      accountId,
      accessLogsBucket: logBucket.bucket.bucket,
      expirationDays: retentionDays,
      noncurrentVersionExpirationDays: retentionDays,
      policyStatements: [
        ...delivery('CloudTrail', 'cloudtrail.amazonaws.com', ''),
        ...delivery('Config', 'config.amazonaws.com', 'config/'),
      ],
    });
    // Object Lock can only be turned on when the bucket is created.
    bucket.bucket.objectLockEnabled = true;
    new S3BucketObjectLockConfigurationA(this, 'TrailBucketLock', {
      bucket: bucket.bucket.id,
      rule: { defaultRetention: { mode: lockMode, days: retentionDays } },
    });

    const logGroup = new CloudwatchLogGroup(this, 'TrailLogGroup', {
      name: logGroupName,
      retentionInDays: retentionDays >= 365 ? 365 : 180,
      kmsKeyId: key.arn,
    });
    const role = serviceRole(this, 'TrailLogsRole', {
      name: this.name('trail-logs'),
      description: `CloudTrail ${trailName} delivering to CloudWatch Logs`,
      service: 'cloudtrail.amazonaws.com',
      accountId,
      statements: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}:log-stream:*`,
        },
      ],
    });
    new Cloudtrail(this, 'Trail', {
      name: trailName,
      s3BucketName: bucket.bucket.id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: key.arn,
      cloudWatchLogsGroupArn: `${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: role.arn,
      // The bucket policy must exist first, or CloudTrail refuses the bucket (InsufficientS3BucketPolicyException).
      dependsOn: [bucket.node.findChild('Policy') as S3BucketPolicy],
    });

    for (const control of CIS_CONTROLS) {
      const metricName = `${this.props.namePrefix}-${control.id}`;
      new CloudwatchLogMetricFilter(this, `Cis${control.id}Filter`, {
        name: metricName,
        logGroupName: logGroup.name,
        pattern: control.pattern,
        metricTransformation: { name: metricName, namespace: 'CISBenchmark', value: '1' },
      });
      new CloudwatchMetricAlarm(this, `Cis${control.id}Alarm`, {
        alarmName: this.name('cis', control.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
        alarmDescription: `${control.control}: ${control.description}. Runbook: ${RUNBOOK}#${control.control.toLowerCase().replace('.', '')}`,
        namespace: 'CISBenchmark',
        metricName,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [this.props.alarmTopicArn],
      });
    }
    return { bucketName };
  }

  /** GuardDuty with the protections the issue lists; findings at or above the severity notify. */
  private createGuardDuty(severity: FindingSeverity): void {
    const detector = new GuarddutyDetector(this, 'GuardDuty', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
    });
    const features: [string, string, { name: string; status: string }[]?][] = [
      ['S3DataEvents', 'S3_DATA_EVENTS'],
      ['EksAuditLogs', 'EKS_AUDIT_LOGS'],
      ['EbsMalwareProtection', 'EBS_MALWARE_PROTECTION'],
      ['RdsLoginEvents', 'RDS_LOGIN_EVENTS'],
      // RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING; enabling both is an API error.
      ['RuntimeMonitoring', 'RUNTIME_MONITORING', [{ name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' }]],
    ];
    for (const [id, name, additionalConfiguration] of features) {
      new GuarddutyDetectorFeature(this, `GuardDuty${id}`, {
        detectorId: detector.id,
        name,
        status: 'ENABLED',
        ...(additionalConfiguration ? { additionalConfiguration } : {}),
      });
    }
    this.notify('GuardDutyFindings', `GuardDuty findings of severity ${severity} or above`, {
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', GUARDDUTY_SEVERITY[severity]] }] },
    });
  }

  /** AWS Config recording every supported resource (global ones included) into the trail bucket. */
  private createConfigRecorder(bucketName: string | undefined): void {
    const role = new IamServiceLinkedRole(this, 'ConfigServiceRole', {
      awsServiceName: 'config.amazonaws.com',
    });
    const recorder = new ConfigConfigurationRecorder(this, 'ConfigRecorder', {
      name: this.name('config'),
      roleArn: role.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    const channel = new ConfigDeliveryChannel(this, 'ConfigDelivery', {
      name: this.name('config'),
      // Without the account's own trail (an organization trail), the organization's Config bucket is expected.
      s3BucketName: bucketName ?? this.name('config', this.props.accountId),
      s3KeyPrefix: 'config',
      snapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      dependsOn: [recorder],
    });
    new ConfigConfigurationRecorderStatus(this, 'ConfigRecorderStatus', {
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
  }

  /** Security Hub with FSBP and CIS 1.4.0 (not the default standards), and its findings at or above the severity. */
  private createSecurityHub(severity: FindingSeverity): void {
    const { region } = this.props;
    const account = new SecurityhubAccount(this, 'SecurityHub', {
      enableDefaultStandards: false,
      autoEnableControls: true,
      controlFindingGenerator: 'SECURITY_CONTROL',
    });
    for (const [id, standard] of [
      ['Fsbp', 'aws-foundational-security-best-practices/v/1.0.0'],
      ['Cis', 'cis-aws-foundations-benchmark/v/1.4.0'],
    ]) {
      new SecurityhubStandardsSubscription(this, `SecurityHub${id}`, {
        standardsArn: `arn:aws:securityhub:${region}::standards/${standard}`,
        dependsOn: [account],
      });
    }
    this.notify('SecurityHubFindings', `Security Hub findings of severity ${severity} or above`, {
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          Severity: { Label: FINDING_SEVERITIES.slice(FINDING_SEVERITIES.indexOf(severity)) },
          Workflow: { Status: ['NEW'] },
          RecordState: ['ACTIVE'],
        },
      },
    });
  }

  /** An external-access analyzer of the account (Security Hub IAM.28); each active finding notifies. */
  private createAccessAnalyzer(): void {
    new AccessanalyzerAnalyzer(this, 'AccessAnalyzer', {
      analyzerName: this.name('access'),
      type: 'ACCOUNT',
    });
    this.notify('AccessAnalyzerFindings', 'IAM Access Analyzer: a resource is shared outside the account', {
      source: ['aws.access-analyzer'],
      'detail-type': ['Access Analyzer Finding'],
      detail: { status: ['ACTIVE'] },
    });
  }

  /** Inspector scanning ECR images (enhanced, continuous) and EC2 instances; findings at or above the severity. */
  private createInspector(severity: FindingSeverity): void {
    const enabler = new Inspector2Enabler(this, 'Inspector', {
      accountIds: [this.props.accountId],
      resourceTypes: ['ECR', 'EC2'],
      timeouts: { create: '30m', update: '30m', delete: '30m' },
    });
    new EcrRegistryScanningConfiguration(this, 'EcrEnhancedScanning', {
      scanType: 'ENHANCED',
      rule: [
        { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilter: [{ filter: '*', filterType: 'WILDCARD' }] },
      ],
      dependsOn: [enabler],
    });
    this.notify('InspectorFindings', `Inspector findings of severity ${severity} or above`, {
      source: ['aws.inspector2'],
      'detail-type': ['Inspector2 Finding'],
      detail: {
        severity: FINDING_SEVERITIES.slice(FINDING_SEVERITIES.indexOf(severity)),
        status: ['ACTIVE'],
      },
    });
  }

  /** An EventBridge rule sending matching events to the topic. */
  private notify(id: string, description: string, pattern: Record<string, unknown>): void {
    const rule = new CloudwatchEventRule(this, id, {
      name: this.name(id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
      description: `${description}. Runbook: ${RUNBOOK}`,
      eventPattern: JSON.stringify(pattern),
    });
    new CloudwatchEventTarget(this, `${id}Target`, { rule: rule.name, arn: this.props.alarmTopicArn });
  }
}
