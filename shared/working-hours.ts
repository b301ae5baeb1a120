/**
 * Working hours of a non-production environment: its shape and its rules, shared by the environment config and
 * the WorkingHoursSchedule construct (one definition).
 */

/** Minutes before the day's start the start calls are made (nodes join, a stopped Aurora cluster starts). */
export const DEFAULT_WAKE_LEAD_MINUTES = 30;

/** Working hours: when a non-production environment runs. */
export interface WorkingHours {
  /** IANA time zone the times are in, e.g. `Europe/Berlin` (EventBridge Scheduler follows its daylight saving). */
  readonly timeZone: string;
  /** Days the environment runs: EventBridge cron day-of-week, e.g. `MON-FRI` or `MON,WED,FRI`. */
  readonly workdays: string;
  /** When the day starts (`HH:MM`): everything is running by then. */
  readonly start: string;
  /** When the day ends (`HH:MM`): everything is stopped from then. */
  readonly stop: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY = '(MON|TUE|WED|THU|FRI|SAT|SUN)';
const WORKDAYS = new RegExp(`^${DAY}(-${DAY})?(,${DAY}(-${DAY})?)*$`);

/** Minutes after midnight of an `HH:MM` time, or undefined when it is not one. */
export function minutesOfDay(time: string): number | undefined {
  const match = TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** True when `timeZone` is an IANA time zone this Node.js knows (the same database EventBridge Scheduler uses). */
export function isTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Problems of working hours: each names the field, the value and what is allowed. Used by the construct and by
 * the environment's field rules (one definition).
 * @param path field path prefix for the messages, e.g. `schedule`
 */
export function workingHoursProblems(
  hours: WorkingHours,
  path: string,
  wakeLeadMinutes = DEFAULT_WAKE_LEAD_MINUTES,
): string[] {
  const problems: string[] = [];
  if (!isTimeZone(hours.timeZone))
    problems.push(
      `${path}.timeZone: "${hours.timeZone}" is not allowed (an IANA time zone such as Europe/Berlin)`,
    );
  if (!WORKDAYS.test(hours.workdays))
    problems.push(
      `${path}.workdays: "${hours.workdays}" is not allowed (days MON..SUN as a range or list, e.g. MON-FRI)`,
    );
  const start = minutesOfDay(hours.start);
  const stop = minutesOfDay(hours.stop);
  if (start === undefined || start < wakeLeadMinutes)
    problems.push(
      `${path}.start: "${hours.start}" is not allowed (HH:MM, at least ${wakeLeadMinutes} minutes after ` +
        `midnight: the start calls are made ${wakeLeadMinutes} minutes earlier, on the same workday)`,
    );
  if (stop === undefined || (start !== undefined && stop <= start))
    problems.push(`${path}.stop: "${hours.stop}" is not allowed (HH:MM, after start ${hours.start})`);
  return problems;
}
