/**
 * What the evaluate helpers need from the CLI shell, passed in by evaluate.command.ts (the
 * helpers may not reach up into the CLI's own modules).
 */
export interface Progress {
  update(value: number, payload?: object): void;
  increment(delta: number, payload?: object): void;
  stop(): void;
}
export type ProgressFactory = (label: string, unit: string, total: number) => Progress;
export type TableRenderer = (
  rows: readonly (readonly (string | number)[])[],
  header: readonly string[],
) => string;

/**
 * The model's reconstruction of raw windows, in vital units, for pictures: `raw` is B×T×F in
 * `features` order (NaN = missing); returns what the model was fed (smoothed, gaps filled) and
 * what it gave back, both B×T×F.
 */
export interface Reconstructor {
  readonly features: readonly string[];
  reconstruct(
    raw: Float32Array,
    count: number,
  ): Promise<{ readonly input: Float32Array; readonly reconstruction: Float32Array }>;
}
