/**
 * What the pipeline needs of a model engine (ONNX or TF.js, see @vigil/model): scores for a batch of
 * raw windows, B×T×F floats oldest-first with NaN for missing values.
 */
export interface WindowScorerLike {
  score(windows: Float32Array, count: number): Promise<{ scores: Float32Array; contributions: Float32Array }>;
}
