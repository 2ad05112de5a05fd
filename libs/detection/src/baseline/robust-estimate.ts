/** A population prior for one vital: where a typical adult sits and how much one person varies. */
export interface EstimatePrior {
  readonly loc: number;
  /** Within-person spread (an SD), never estimated below `spreadFloor`. */
  readonly spread: number;
  readonly spreadFloor: number;
  /** How much of the patient's own measurement time the prior is worth. */
  readonly priorMs: number;
  /** Memory once warmed up (an exponential forgetting time). */
  readonly memoryMs: number;
  /** Measurement time before the estimate counts as the patient's own (until then: population rules). */
  readonly warmupMs: number;
  /** One observation stands for at most this much time (a reading after a gap is one reading). */
  readonly maxStepMs: number;
  /**
   * A deviation teaches the spread at most this many spreads' worth (default 4). Few readings a
   * day (BP) need a tighter clip, or one odd reading widens the normal for hours.
   */
  readonly spreadClip?: number;
}

export interface EstimateState {
  /** Measurement time learned from, ms. */
  readonly seenMs: number;
  readonly loc: number;
  readonly spread: number;
  readonly lastTs: number | null;
}

const MAD_TO_SD = Math.sqrt(Math.PI / 2);

/**
 * Robust online location and spread (Huber-clipped running mean and mean absolute deviation),
 * starting from a population prior and weighted by measurement time, so a vital read every second
 * and one read every half hour learn at the same pace. One extreme value moves it by at most three
 * spreads' worth: artefacts and short episodes barely shift a patient's normal.
 */
export class RobustEstimate {
  private seenMs: number;
  private location: number;
  private dispersion: number;
  private lastTs: number | null;

  constructor(
    private readonly prior: EstimatePrior,
    from?: EstimateState,
  ) {
    this.location = from?.loc ?? prior.loc;
    this.dispersion = from?.spread ?? prior.spread;
    this.seenMs = from?.seenMs ?? 0;
    this.lastTs = from?.lastTs ?? null;
  }

  get loc(): number {
    return this.location;
  }

  get spread(): number {
    return Math.max(this.dispersion, this.prior.spreadFloor);
  }

  get ready(): boolean {
    return this.seenMs >= this.prior.warmupMs;
  }

  /**
   * Learns from one observation. With `locate` false (a value off the patient's normal) only the
   * spread learns, from the value clipped (at four spreads by default): leaving such values out entirely would
   * shrink the spread of a heavy-tailed signal until ordinary swings looked abnormal.
   */
  learn(x: number, ts: number, locate = true): void {
    const dt =
      this.lastTs === null
        ? this.prior.maxStepMs
        : Math.max(0, Math.min(ts - this.lastTs, this.prior.maxStepMs));
    this.lastTs = ts;
    if (dt === 0) return;
    this.seenMs += dt;
    const alpha = dt / Math.min(this.prior.priorMs + this.seenMs, this.prior.memoryMs);
    const s = this.spread;
    const d = x - this.location;
    if (locate) this.location += alpha * Math.max(-3 * s, Math.min(3 * s, d));
    const clip = (this.prior.spreadClip ?? 4) * s;
    this.dispersion += alpha * (Math.min(Math.abs(d) * MAD_TO_SD, clip) - this.dispersion);
  }

  /** A copy moved by `shift` (a context's known offset), keeping how much it has learned. */
  shifted(shift: number, spreadFactor = 1): RobustEstimate {
    return new RobustEstimate(this.prior, {
      seenMs: this.seenMs,
      loc: this.location + shift,
      spread: this.dispersion * spreadFactor,
      lastTs: this.lastTs,
    });
  }

  state(): EstimateState {
    return {
      seenMs: this.seenMs,
      loc: round(this.location),
      spread: round(this.dispersion),
      lastTs: this.lastTs,
    };
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
