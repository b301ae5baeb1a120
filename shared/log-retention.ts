/** The retention periods CloudWatch Logs accepts, in days (any other value is rejected by the API at apply). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A retention period CloudWatch Logs accepts. */
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/**
 * The shortest retention this project allows: a year of logs in production (incident and audit look-backs), a
 * month elsewhere. Config enforces it; the guardrails check the synthesized log groups against their own copy
 * (guardrails/rules/logs.ts), and a test keeps the two equal.
 */
export const MIN_LOG_RETENTION_DAYS = { production: 365, other: 30 } as const;
