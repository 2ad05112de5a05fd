/** Where the patient is in an activity cycle: raised HR and RR are expected while active and recovering. */
export type ActivityState = 'rest' | 'active' | 'recovery';

export interface ActivityOptions {
  /** Steps over the last minute at or above which the patient counts as active (walking is ~100/min). */
  readonly activeStepsPerMin: number;
  /** How long after the last active minute HR and RR are still expected to be coming down. */
  readonly recoveryMs: number;
}

export const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = { activeStepsPerMin: 30, recoveryMs: 5 * 60_000 };

const MINUTE = 60_000;
const ONSET_MS = 15_000;
/** A step count this recent means the device senses motion (a wearable reports one every second). */
const MOTION_SENSED_MS = 2 * MINUTE;

/**
 * Activity from the wearable's step counts: a sliding one-minute sum. Pure and replay-safe: the same
 * samples give the same states. A patient without a step counter is at rest, with motion unknown
 * (`sensesMotion`).
 */
export class ActivityTracker {
  private readonly recent: { ts: number; steps: number }[] = [];
  private sum = 0;
  private lastActiveAt = -Infinity;
  private lastStepsAt = -Infinity;

  constructor(private readonly options: ActivityOptions = DEFAULT_ACTIVITY_OPTIONS) {}

  observe(ts: number, steps: number | undefined): void {
    if (steps === undefined || !Number.isFinite(steps)) return;
    this.lastStepsAt = Math.max(this.lastStepsAt, ts);
    this.recent.push({ ts, steps });
    this.sum += steps;
    while (this.recent.length > 0 && this.recent[0].ts <= ts - MINUTE) this.sum -= this.recent.shift()!.steps;
    // The heart rate rises within seconds of setting off: a brisk start counts before a full minute of steps.
    let onset = 0;
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i].ts > ts - ONSET_MS; i--)
      onset += this.recent[i].steps;
    const perMin = this.options.activeStepsPerMin;
    if (this.sum >= perMin || onset >= (perMin * ONSET_MS) / MINUTE)
      this.lastActiveAt = Math.max(this.lastActiveAt, ts);
  }

  state(at: number): ActivityState {
    const since = at - this.lastActiveAt;
    if (since <= 5_000) return 'active';
    return since < this.options.recoveryMs ? 'recovery' : 'rest';
  }

  /**
   * Whether the device tells rest from effort at all: a bedside monitor (or a recording without
   * steps) does not, and then a raised HR or RR may be effort as much as illness.
   */
  sensesMotion(at: number): boolean {
    return at - this.lastStepsAt <= MOTION_SENSED_MS;
  }

  snapshot(): { lastActiveAt: number | null } {
    return { lastActiveAt: Number.isFinite(this.lastActiveAt) ? this.lastActiveAt : null };
  }

  restore(s: { lastActiveAt: number | null }): void {
    this.lastActiveAt = s.lastActiveAt ?? -Infinity;
  }
}

export interface ClockOptions {
  /** The ward's offset from UTC, minutes (night is judged on local time). */
  readonly utcOffsetMinutes: number;
  /** Local hours [from, to) that count as night: sleep lowers HR, RR and BP. */
  readonly nightFromHour: number;
  readonly nightToHour: number;
}

export const DEFAULT_CLOCK_OPTIONS: ClockOptions = { utcOffsetMinutes: 0, nightFromHour: 23, nightToHour: 7 };

const localHour = (ts: number, o: ClockOptions) =>
  ((((ts + o.utcOffsetMinutes * MINUTE) / 3_600_000) % 24) + 24) % 24;
const within = (hour: number, from: number, to: number) =>
  from > to ? hour >= from || hour < to : hour >= from && hour < to;

export function isNight(ts: number, o: ClockOptions = DEFAULT_CLOCK_OPTIONS): boolean {
  return within(localHour(ts, o), o.nightFromHour, o.nightToHour);
}

/**
 * People fall asleep and wake around the clock's night, not on it: in the two hours before night
 * and the hour after it either normal may hold (the monitor then learns neither).
 */
export function isNightEdge(ts: number, o: ClockOptions = DEFAULT_CLOCK_OPTIONS): boolean {
  const hour = localHour(ts, o);
  return (
    within(hour, (o.nightFromHour + 22) % 24, o.nightFromHour) ||
    within(hour, o.nightToHour, (o.nightToHour + 1) % 24)
  );
}
