import { VITALS } from '@vigil/contracts';
import { type ModelOptions, type WindowScorerLike } from '@vigil/detection';
import { type ModelMetadata } from './model-metadata';
import { type WindowScorer } from './window-scorer';

/**
 * The detection pipeline hands out windows of every vital (T×7, VITALS order); a model may see
 * fewer features. This picks the model's features out of each window and spreads the model's
 * per-feature contributions back to VITALS order (0 for vitals the model does not see).
 */
export class FeatureSelectingScorer implements WindowScorerLike {
  private readonly index: number[];

  constructor(private readonly inner: WindowScorer) {
    this.index = inner.metadata.config.features.map((f) => VITALS.indexOf(f));
    if (this.index.some((i) => i < 0))
      throw new Error(`model features ${inner.metadata.config.features.join(',')} are not all Vigil vitals`);
  }

  async score(
    windows: Float32Array,
    count: number,
  ): Promise<{ scores: Float32Array; contributions: Float32Array }> {
    const F = this.index.length;
    const V = VITALS.length;
    const T = this.inner.metadata.config.windowSize;
    const picked = new Float32Array(count * T * F);
    for (let r = 0; r < count * T; r++)
      for (let f = 0; f < F; f++) picked[r * F + f] = windows[r * V + this.index[f]];
    const { scores, contributions } = await this.inner.score(picked, count);
    const spread = new Float32Array(count * V);
    for (let b = 0; b < count; b++)
      for (let f = 0; f < F; f++) spread[b * V + this.index[f]] = contributions[b * F + f];
    return { scores, contributions: spread };
  }
}

/**
 * The pipeline's model options from a model's metadata: a window is abnormal at the alert level
 * calibrated to the false-alert budget; a model trained on residuals reads value − patient's usual.
 */
export function modelOptionsFrom(metadata: ModelMetadata): ModelOptions {
  return { alertError: metadata.thresholds.alert, residualInput: metadata.config.input === 'residual' };
}
