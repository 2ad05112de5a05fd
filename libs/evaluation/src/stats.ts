/**
 * Order statistics used by the reports. Percentiles interpolate linearly between closest ranks
 * (numpy's default, "type 7"), so a reader can check a figure with a spreadsheet.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (values: readonly number[]): number | null => percentile(values, 50);

/** a / b, or null when there is nothing to divide by (a ratio of nothing is not 0 or 1). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
