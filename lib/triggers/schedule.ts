// When a scheduled sync is due next. Pure: the clock and the randomness are passed in.

/** Next syncs spread uniformly within ±10 % of the interval, so fabrics registered together drift apart. */
export const SCHEDULE_JITTER = 0.1;

/**
 * `now + interval ± jitter`, uniform within ±SCHEDULE_JITTER of the interval. `random` returns a number
 * in [0, 1) (Math.random's contract); the result is whole milliseconds, as stored.
 */
export function nextSyncTime(now: Date, intervalMinutes: number, random: () => number): Date {
  const interval = intervalMinutes * 60_000;
  const r = Math.min(Math.max(random(), 0), 1);
  const offset = Math.round((2 * r - 1) * SCHEDULE_JITTER * interval);
  return new Date(now.getTime() + interval + offset);
}

/** The bounds nextSyncTime keeps to, for checks and tests. */
export function nextSyncBounds(now: Date, intervalMinutes: number): { readonly earliest: Date; readonly latest: Date } {
  const interval = intervalMinutes * 60_000;
  const spread = Math.round(SCHEDULE_JITTER * interval);
  return { earliest: new Date(now.getTime() + interval - spread), latest: new Date(now.getTime() + interval + spread) };
}

/** A fabric is due when its next sync time is not after `now`. */
export function isDue(nextSyncAt: string, now: Date): boolean {
  return Date.parse(nextSyncAt) <= now.getTime();
}
