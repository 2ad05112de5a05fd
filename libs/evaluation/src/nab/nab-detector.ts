/** A NAB detector: one univariate series in, one anomaly score in [0, 1] per row out. */
export interface NabDetector {
  readonly name: string;
  /** For people: what this detector is, in one line. */
  readonly description: string;
  detect(values: readonly number[]): Float64Array;
}
