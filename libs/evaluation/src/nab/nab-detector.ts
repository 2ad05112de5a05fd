/** A NAB detector: one univariate series in, one anomaly score in [0, 1] per row out. */
export interface NabDetector {
  readonly name: string;
  /** For people: what this detector is, in one line. */
  readonly description: string;
  /** May be async: a detector that trains a network per series returns a promise. */
  detect(values: readonly number[]): Float64Array | Promise<Float64Array>;
}
