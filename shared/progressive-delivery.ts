/**
 * Facts of progressive delivery (issue #15) that config validation and the app constructs share: the team's
 * analysis thresholds and the rollback-time bound.
 */

/** The longest a failing release may take traffic before all of it is back on the stable version, in seconds. */
export const ROLLBACK_BOUND_LIMIT_SECONDS = 120;

/** The team's thresholds: what a canary must keep to progress; a measurement past them is a failure. */
export const ANALYSIS_THRESHOLDS = {
  /** Ratio of 5xx responses to all responses of the canary pods, over the analysis window. */
  maxErrorRatio: 0.05,
  /** 95th percentile latency of the canary pods, in seconds. */
  maxP95LatencySeconds: 2,
  /** Error-budget burn rate of the 99.9% availability SLO (the fast-burn page threshold of the SLO alerts). */
  maxBurnRate: 14.4,
} as const;

/** What bounds the rollback: how often analysis measures, how many failures it tolerates, how long a shift takes. */
export interface RollbackTiming {
  /** Seconds between two analysis measurements. */
  readonly analysisIntervalSeconds: number;
  /** Failed measurements tolerated; the next one aborts (Argo Rollouts aborts when failures exceed the limit). */
  readonly failureLimit: number;
  /**
   * Seconds the load balancer takes to move the weights back to stable once the controller aborts (the AWS Load
   * Balancer Controller's reconcile plus the target group's deregistration delay).
   */
  readonly trafficShiftSeconds: number;
}

/**
 * The worst-case time from the first failing measurement to all traffic on stable: `interval x (failureLimit + 1)`
 * (the abort comes with the measurement after the last tolerated failure) plus the traffic shift. This is one
 * interval stricter than the issue's `interval x failureLimit + shift`, on purpose.
 * @see https://argoproj.github.io/argo-rollouts/features/analysis/#failure-conditions-and-failure-limit
 */
export function rollbackBoundSeconds(timing: RollbackTiming): number {
  return timing.analysisIntervalSeconds * (timing.failureLimit + 1) + timing.trafficShiftSeconds;
}

/** The problem with a timing whose rollback bound exceeds the limit, or undefined. */
export function rollbackBoundProblem(timing: RollbackTiming): string | undefined {
  const bound = rollbackBoundSeconds(timing);
  if (bound <= ROLLBACK_BOUND_LIMIT_SECONDS) return undefined;
  return (
    `rollback bound ${timing.analysisIntervalSeconds} s x (${timing.failureLimit} + 1) + ` +
    `${timing.trafficShiftSeconds} s = ${bound} s is not allowed (at most ${ROLLBACK_BOUND_LIMIT_SECONDS} s: ` +
    'shorten analysisIntervalSeconds or trafficShiftSeconds, or lower failureLimit)'
  );
}
