import type { Rule } from '../types';
import { numberAttr, show } from '../../model/values';
import { fail, PASS, requirePresent } from './helpers';

/** Minimum CloudWatch log retention in days, by environment kind (CKV_AWS_338 asks for one year). */
export const LOG_RETENTION_DAYS = { production: 365, other: 30 } as const;

/** CloudWatch log groups: encryption and retention. */
export const logRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_158',
    title: 'CloudWatch log groups are encrypted by KMS',
    severity: 'high',
    resourceTypes: ['aws_cloudwatch_log_group'],
    requirement: '`kms_key_id` is set (a reference to a customer-managed key counts).',
    fix: 'set kms_key_id to a customer-managed KMS key ARN whose policy allows logs.<region>.amazonaws.com',
    check(group) {
      return requirePresent(group.body, 'kms_key_id', 'log group is not encrypted');
    },
  },
  {
    id: 'CKV_AWS_338',
    title: 'CloudWatch log groups retain logs for a bounded, sufficient period',
    severity: 'medium',
    resourceTypes: ['aws_cloudwatch_log_group'],
    requirement: `\`retention_in_days\` is at least ${LOG_RETENTION_DAYS.production} in production and at least ${LOG_RETENTION_DAYS.other} elsewhere; 0 or unset (keep forever) is not allowed, unlike Checkov.`,
    fix: `set retention_in_days to at least ${LOG_RETENTION_DAYS.production} in production (${LOG_RETENTION_DAYS.other} elsewhere)`,
    check(group, { production }) {
      const minimum = production ? LOG_RETENTION_DAYS.production : LOG_RETENTION_DAYS.other;
      const where = production ? 'production' : 'this environment';
      const retention = numberAttr(group.body.retention_in_days);
      if (retention.kind === 'unresolved') return PASS;
      if (retention.kind === 'missing' || retention.value === 0) {
        const found = retention.kind === 'missing' ? 'is missing' : 'is 0';
        return fail(
          `log group keeps logs forever: retention_in_days ${found}, must be at least ${minimum} in ${where}`,
        );
      }
      return retention.value >= minimum
        ? PASS
        : fail(
            `log group retention is too short: retention_in_days is ${show(group.body.retention_in_days)}, must be at least ${minimum} in ${where}`,
          );
    },
  },
];
