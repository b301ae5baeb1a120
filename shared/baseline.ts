/** The items of an account's security baseline; each is created by the baseline stack unless the AWS Organization provides it. */
export const BASELINE_ITEMS = [
  'cloudtrail',
  'guardduty',
  'securityHub',
  'config',
  'accessAnalyzer',
  'inspector',
] as const;

/** One item of the account baseline. */
export type BaselineItem = (typeof BASELINE_ITEMS)[number];

/** Finding severities, lowest first: findings at or above the configured one are notified. */
export const FINDING_SEVERITIES = ['MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** A finding severity. */
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];
