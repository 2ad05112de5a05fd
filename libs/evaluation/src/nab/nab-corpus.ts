import {
  NAB_PROFILE_NAMES,
  normalisedScore,
  optimizeThreshold,
  scoreByThreshold,
  sweepCorpus,
  type CostMatrix,
  type NabProfileName,
  type RowWindow,
} from './nab-sweeper';

/** NAB timestamps ("2014-04-10 07:15:00" in data, "2014-04-10 07:15:00.000000" in labels) as UTC ms. */
export function parseNabTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a NAB timestamp: "${text}"`);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

export interface NabSeries {
  readonly timestamps: number[];
  readonly values: number[];
}

/** A NAB data file: header `timestamp,value`, then one row per line. */
export function parseNabCsv(text: string): NabSeries {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'timestamp,value')
    throw new Error(`NAB csv must start with "timestamp,value", got "${lines[0]}"`);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const line of lines.slice(1)) {
    const comma = line.indexOf(',');
    timestamps.push(parseNabTimestamp(line.slice(0, comma)));
    const v = Number(line.slice(comma + 1));
    if (!Number.isFinite(v)) throw new Error(`NAB csv: bad value in "${line}"`);
    values.push(v);
  }
  return { timestamps, values };
}

/**
 * Label windows (pairs of timestamps) as row indices. NAB requires each edge to be a timestamp of
 * the file exactly, and so does this.
 */
export function windowsToRows(
  timestamps: readonly number[],
  windows: readonly (readonly [string, string])[],
): RowWindow[] {
  const index = new Map(timestamps.map((t, i) => [t, i]));
  return windows.map(([a, b]) => {
    const start = index.get(parseNabTimestamp(a));
    const end = index.get(parseNabTimestamp(b));
    if (start === undefined || end === undefined)
      throw new Error(`NAB window [${a}, ${b}] edge is not a row timestamp`);
    return { start, end };
  });
}

/**
 * NAB's published results files hold anomaly scores to 12 significant digits (Python 2's str(float)),
 * so e.g. 0.99999999999977 was stored, and thresholded, as 1.0. Rounding the same way reproduces the
 * published scoreboard exactly; without it the threshold optimiser sees distinctions NAB never saw.
 */
export function asPublished(scores: ArrayLike<number>): Float64Array {
  return Float64Array.from(scores, (x) => Number(x.toPrecision(12)));
}

export interface NabFileScores {
  readonly name: string;
  /** Per row, in [0, 1]. */
  readonly anomalyScores: ArrayLike<number>;
  readonly windows: readonly RowWindow[];
}

export interface NabProfileResult {
  readonly profile: NabProfileName;
  readonly threshold: number;
  readonly raw: number;
  readonly nullScore: number;
  readonly perfect: number;
  /** 100 · (raw − null)/(perfect − null): 0 for the null detector, 100 for a perfect one. */
  readonly score: number;
}

/** A detector's NAB score on each profile, its threshold optimised per profile as NAB does. */
export function scoreNabCorpus(
  files: readonly NabFileScores[],
  profiles: Readonly<Record<NabProfileName, CostMatrix>>,
): NabProfileResult[] {
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  return NAB_PROFILE_NAMES.map((profile) => {
    const cost = profiles[profile];
    const table = scoreByThreshold(sweepCorpus(files, cost));
    const best = optimizeThreshold(table);
    const nullScore = table[0].score; // the 1.1 row: no detections, what NAB's null detector scores
    const perfect = windowCount * cost.tpWeight;
    return {
      profile,
      threshold: best.threshold,
      raw: best.score,
      nullScore,
      perfect,
      score: normalisedScore(best.score, nullScore, perfect),
    };
  });
}
