import { gaussianTail } from '../gaussian';
import { type NabDetector } from './nab-detector';

/**
 * NAB's own `windowedGaussian` baseline, re-implemented to check this scorer against a published
 * row of the scoreboard: each value's score is 1 − two-sided Gaussian tail probability under the
 * mean/std of a window of up to 6,400 past values, the window sliding in steps of 100.
 */
export class WindowedGaussianDetector implements NabDetector {
  readonly name = 'windowedGaussian';
  readonly description = "NAB's windowedGaussian baseline (window 6400, step 100), re-implemented here";

  constructor(
    private readonly windowSize = 6400,
    private readonly stepSize = 100,
  ) {}

  detect(values: readonly number[]): Float64Array {
    const out = new Float64Array(values.length);
    let window: number[] = [];
    let step: number[] = [];
    let mean = 0;
    let std = 1;
    const update = () => {
      mean = window.reduce((s, v) => s + v, 0) / window.length;
      std = Math.sqrt(window.reduce((s, v) => s + (v - mean) ** 2, 0) / window.length);
      if (std === 0) std = 0.000001;
    };
    values.forEach((v, i) => {
      out[i] = window.length > 0 ? 1 - gaussianTail(v, mean, std) : 0;
      if (window.length < this.windowSize) {
        window.push(v);
        update();
      } else {
        step.push(v);
        if (step.length === this.stepSize) {
          window = window.slice(this.stepSize).concat(step);
          step = [];
          update();
        }
      }
    });
    return out;
  }
}

/** NAB's null detector: a constant 0.5, which scores 0 by construction of the normalisation. */
export class NullDetector implements NabDetector {
  readonly name = 'null';
  readonly description = "NAB's null detector (constant 0.5)";
  detect(values: readonly number[]): Float64Array {
    return new Float64Array(values.length).fill(0.5);
  }
}
