import { type Severity, type Vital } from '@vigil/contracts';

export interface ZScoreOptions {
  /** |z| at or above which a window is abnormal (low severity)… */
  readonly alertZ: number;
  /** …and at or above which it is medium. Like the model, the baseline alone never raises high. */
  readonly mediumZ: number;
  /** Windows of a vital to learn before that vital is judged. */
  readonly warmup: number;
  /** Half-life of the running mean/variance, in windows. */
  readonly halfLife: number;
}

/** At stride 5 s: judge after 30 min, forget with a 2 h half-life. */
export const DEFAULT_ZSCORE_OPTIONS: ZScoreOptions = { alertZ: 4, mediumZ: 6, warmup: 360, halfLife: 1440 };

/**
 * Floors on each vital's standard deviation, so a very steady patient is not alarmed by a one-unit
 * change. Steps are left out: activity is not physiology, and walking is not an anomaly.
 */
export const ZSCORE_MIN_STD: Readonly<Partial<Record<Vital, number>>> = {
  hr: 3,
  spo2: 0.7,
  rr: 1.5,
  temp: 0.15,
  sbp: 4,
  dbp: 3,
};

export interface ZScoreResult {
  /** Largest |z| over the judged vitals, or null when none is past its warm-up. */
  readonly z: number | null;
  readonly severity: Severity | null;
  /** Vitals by |z|, most deviant first (only those at or above alertZ). */
  readonly vitals: Vital[];
}

/**
 * The per-patient z-score baseline: each vital's recent value (the same median-of-recent-seconds
 * NEWS2 looks at) against that patient's own exponentially weighted mean and variance. Abnormal
 * windows are not learned, so an episode does not become the patient's normal.
 */
export class ZScoreBaseline {
  private readonly stats = new Map<Vital, { n: number; mean: number; variance: number }>();
  private readonly alpha: number;

  constructor(private readonly options: ZScoreOptions = DEFAULT_ZSCORE_OPTIONS) {
    this.alpha = 1 - Math.pow(0.5, 1 / options.halfLife);
  }

  assess(latest: Partial<Record<Vital, number>>): ZScoreResult {
    const deviations: [Vital, number][] = [];
    for (const [vital, floor] of Object.entries(ZSCORE_MIN_STD) as [Vital, number][]) {
      const x = latest[vital];
      const s = this.stats.get(vital);
      if (x === undefined || !s || s.n < this.options.warmup) continue;
      deviations.push([vital, Math.abs(x - s.mean) / Math.max(Math.sqrt(s.variance), floor)]);
    }
    deviations.sort((a, b) => b[1] - a[1]);
    const z = deviations.length ? deviations[0][1] : null;
    const severity: Severity | null =
      z === null ? null : z >= this.options.mediumZ ? 'medium' : z >= this.options.alertZ ? 'low' : null;
    if (severity === null) this.learn(latest);
    return { z, severity, vitals: deviations.filter(([, d]) => d >= this.options.alertZ).map(([v]) => v) };
  }

  private learn(latest: Partial<Record<Vital, number>>): void {
    for (const vital of Object.keys(ZSCORE_MIN_STD) as Vital[]) {
      const x = latest[vital];
      if (x === undefined) continue;
      const s = this.stats.get(vital) ?? { n: 0, mean: 0, variance: 0 };
      s.n++;
      // Plain running mean/variance until the half-life's weight takes over, then exponential forgetting.
      const a = Math.max(this.alpha, 1 / s.n);
      const delta = x - s.mean;
      s.mean += a * delta;
      s.variance = (1 - a) * (s.variance + a * delta * delta);
      this.stats.set(vital, s);
    }
  }
}
