/**
 * NAB's scoring rules (Numenta Anomaly Benchmark, numenta/NAB `nab/sweeper.py` at ea702d7),
 * re-implemented from its documentation and source semantics:
 *
 * - Rows in the probationary period, the first min(floor(0.15·N), 0.15·5000) of a file, are not scored.
 * - Inside a labelled window of width W rows whose right edge is row R, a detection at row i sits at
 *   relative position p = −(R − i + 1)/W and is worth tpWeight · σₛ(p)/σₛ(−1), where
 *   σₛ(p) = 2·sigmoid(−5p) − 1 (σₛ(p) = −1 beyond p > 3). Only the best (earliest) detection of a
 *   window counts; a window with none costs −fnWeight.
 * - A detection outside every window is a false positive worth fpWeight · σₛ(|R_prev − i|/(W_prev − 1))
 *   after a window (it costs little just after a window, up to −fpWeight far from it), and
 *   −fpWeight before the first window. False positives add up.
 * - A row is a detection when its anomaly score ≥ threshold; the threshold is swept over every
 *   distinct score (plus 1.1: no detections) and the best corpus total is kept, per profile.
 * - Normalised score = 100 · (raw − null)/(perfect − null); null = the score with no detection,
 *   perfect = number of labelled windows · tpWeight.
 */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

export const NAB_PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type NabProfileName = (typeof NAB_PROFILE_NAMES)[number];

/** NAB's config/profiles.json shape: `{ name: { CostMatrix: { tpWeight, fpWeight, fnWeight, tnWeight } } }`. */
export function profilesFromJson(json: unknown): Record<NabProfileName, CostMatrix> {
  const out = {} as Record<NabProfileName, CostMatrix>;
  const obj = json as Record<string, { CostMatrix?: Partial<CostMatrix> } | undefined>;
  for (const name of NAB_PROFILE_NAMES) {
    const m = obj[name]?.CostMatrix;
    if (
      !m ||
      typeof m.tpWeight !== 'number' ||
      typeof m.fpWeight !== 'number' ||
      typeof m.fnWeight !== 'number'
    ) {
      throw new Error(`NAB profiles: ${name} has no complete CostMatrix`);
    }
    out[name] = { tpWeight: m.tpWeight, fpWeight: m.fpWeight, fnWeight: m.fnWeight };
  }
  return out;
}

export const PROBATIONARY_PERCENT = 0.15;

export function probationaryLength(rows: number, percent = PROBATIONARY_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function scaledSigmoid(relativePosition: number): number {
  return relativePosition > 3 ? -1 : 2 * sigmoid(-5 * relativePosition) - 1;
}

/** A labelled window as inclusive row indices. */
export interface RowWindow {
  readonly start: number;
  readonly end: number;
}

/** Window id of rows that are outside every window, and of rows in the probationary period. */
export const OUTSIDE = -1;
export const PROBATIONARY = -2;

/** Per row: its anomaly score, what a detection there is worth, and the window it falls in. */
export interface SweptFile {
  readonly anomaly: Float64Array;
  readonly sweep: Float64Array;
  /** Global window id (offset + index in the file), OUTSIDE, or PROBATIONARY. */
  readonly window: Int32Array;
  readonly windowCount: number;
  /** What a missed window of this file costs (the profile's fnWeight). */
  readonly fnWeight: number;
}

/** NAB's `calcSweepScore` for one file. `windowIdOffset` keeps window ids unique across a corpus. */
export function sweepFile(
  anomalyScores: ArrayLike<number>,
  windows: readonly RowWindow[],
  cost: CostMatrix,
  windowIdOffset = 0,
): SweptFile {
  const n = anomalyScores.length;
  const anomaly = Float64Array.from(anomalyScores);
  for (const s of anomaly) {
    if (!(s >= 0 && s <= 1)) throw new RangeError(`NAB anomaly scores must be in [0, 1], got ${s}`);
  }
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  for (let k = 0; k < sorted.length; k++) {
    const w = sorted[k];
    if (w.start < 0 || w.end >= n || w.end < w.start)
      throw new RangeError(`window [${w.start}, ${w.end}] is outside ${n} rows`);
    if (k > 0 && w.start <= sorted[k - 1].end) throw new RangeError('NAB windows must not overlap');
  }
  const sweep = new Float64Array(n);
  const window = new Int32Array(n);
  const maxTp = scaledSigmoid(-1);
  const probation = probationaryLength(n);
  let next = 0;
  let cur: RowWindow | null = null;
  let prev: RowWindow | null = null;
  for (let i = 0; i < n; i++) {
    if (cur === null && next < sorted.length && i === sorted[next].start) cur = sorted[next++];
    if (cur !== null) {
      const width = cur.end - cur.start + 1;
      sweep[i] = (scaledSigmoid(-(cur.end - i + 1) / width) * cost.tpWeight) / maxTp;
    } else if (prev === null) {
      sweep[i] = -1 * cost.fpWeight;
    } else {
      const prevWidth = prev.end - prev.start + 1;
      sweep[i] = scaledSigmoid(Math.abs(prev.end - i) / (prevWidth - 1)) * cost.fpWeight;
    }
    window[i] = i < probation ? PROBATIONARY : cur !== null ? windowIdOffset + next - 1 : OUTSIDE;
    if (cur !== null && i === cur.end) {
      prev = cur;
      cur = null;
    }
  }
  return { anomaly, sweep, window, windowCount: sorted.length, fnWeight: cost.fnWeight };
}

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  /** Row counts, as NAB reports them (rows, not windows). */
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
}

/** NAB's `calcScoreByThreshold` over one or more swept files: the total score at every threshold. */
export function scoreByThreshold(files: readonly SweptFile[]): ThresholdScore[] {
  let rows = 0;
  for (const f of files) for (const w of f.window) if (w !== PROBATIONARY) rows++;
  const anomaly = new Float64Array(rows);
  const sweep = new Float64Array(rows);
  const window = new Int32Array(rows);
  let windowIds = 0;
  let r = 0;
  const missCost = new Map<number, number>();
  for (const f of files) {
    for (let i = 0; i < f.window.length; i++) {
      if (f.window[i] === PROBATIONARY) continue;
      anomaly[r] = f.anomaly[i];
      sweep[r] = f.sweep[i];
      window[r] = f.window[i];
      windowIds = Math.max(windowIds, f.window[i] + 1);
      if (f.window[i] >= 0) missCost.set(f.window[i], f.fnWeight);
      r++;
    }
  }
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => anomaly[b] - anomaly[a]);

  // Every window with a scorable row starts as a miss; a window entirely in probation is not scored.
  const best = new Float64Array(windowIds).fill(NaN);
  let windowTotal = 0;
  for (let i = 0; i < rows; i++) {
    const w = window[i];
    if (w >= 0 && Number.isNaN(best[w])) {
      best[w] = -(missCost.get(w) ?? 0);
      windowTotal += best[w];
    }
  }
  let fpTotal = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < rows; i++) if (window[i] >= 0) fn++;
  let tn = rows - fn;

  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (const i of order) {
    if (anomaly[i] !== threshold) {
      out.push({ threshold, score: windowTotal + fpTotal, tp, tn, fp, fn });
      threshold = anomaly[i];
    }
    const w = window[i];
    if (w >= 0) {
      tp++;
      fn--;
      if (sweep[i] > best[w]) {
        windowTotal += sweep[i] - best[w];
        best[w] = sweep[i];
      }
    } else {
      fp++;
      tn--;
      fpTotal += sweep[i];
    }
  }
  out.push({ threshold, score: windowTotal + fpTotal, tp, tn, fp, fn });
  return out;
}

/** Sweep every file of a corpus with one cost matrix, window ids unique across files. */
export function sweepCorpus(
  files: readonly { readonly anomalyScores: ArrayLike<number>; readonly windows: readonly RowWindow[] }[],
  cost: CostMatrix,
): SweptFile[] {
  let offset = 0;
  return files.map((f) => {
    const s = sweepFile(f.anomalyScores, f.windows, cost, offset);
    offset += s.windowCount;
    return s;
  });
}

/** NAB's optimiser: the threshold with the highest total (the first, i.e. highest threshold, on ties). */
export function optimizeThreshold(scores: readonly ThresholdScore[]): ThresholdScore {
  let best = scores[0];
  for (const s of scores) if (s.score > best.score) best = s;
  return best;
}

/** The total when every row with score ≥ threshold is a detection. */
export function scoreAtThreshold(scores: readonly ThresholdScore[], threshold: number): ThresholdScore {
  // Rows are in descending threshold order; the last row whose threshold is still ≥ t is the one.
  let match = scores[0];
  for (const s of scores) {
    if (s.threshold >= threshold) match = s;
    else break;
  }
  return match;
}

export function normalisedScore(raw: number, nullScore: number, perfect: number): number {
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
