import { VITALS } from '@vigil/contracts';
import { type ModelMetadata } from './model-metadata';
import { type WindowScorer } from './window-scorer';
import { FeatureSelectingScorer, modelOptionsFrom } from './pipeline-adapter';

/** A stand-in engine that records what it was given and "scores" each window by its feature sums. */
function fakeEngine(
  features: ModelMetadata['config']['features'],
  T: number,
): WindowScorer & { seen: Float32Array[] } {
  const seen: Float32Array[] = [];
  const metadata = { config: { windowSize: T, features, units: 4 } } as unknown as ModelMetadata;
  return {
    metadata,
    engine: 'onnx',
    description: 'fake',
    seen,
    score(windows: Float32Array, count: number) {
      seen.push(windows.slice());
      const F = features.length;
      const contributions = new Float32Array(count * F);
      for (let b = 0; b < count; b++)
        for (let t = 0; t < T; t++)
          for (let f = 0; f < F; f++) contributions[b * F + f] += windows[(b * T + t) * F + f];
      const scores = Float32Array.from({ length: count }, (_, b) =>
        contributions.subarray(b * F, (b + 1) * F).reduce((s, v) => s + v, 0),
      );
      return Promise.resolve({ scores, contributions });
    },
    dispose: () => Promise.resolve(),
  };
}

describe(FeatureSelectingScorer.name, () => {
  it('hands the model only its features, in its order, and spreads contributions back to VITALS order', async () => {
    const engine = fakeEngine(['spo2', 'hr'], 2);
    const V = VITALS.length;
    // 1 window, T = 2, every vital v at time t = 10·t + index of v
    const windows = Float32Array.from({ length: 2 * V }, (_, i) => 10 * Math.floor(i / V) + (i % V));
    const out = await new FeatureSelectingScorer(engine).score(windows, 1);
    const hr = VITALS.indexOf('hr');
    const spo2 = VITALS.indexOf('spo2');
    expect([...engine.seen[0]]).toEqual([spo2, hr, 10 + spo2, 10 + hr]);
    expect(out.contributions[hr]).toBe(hr + 10 + hr);
    expect(out.contributions[spo2]).toBe(spo2 + 10 + spo2);
    expect(out.contributions[VITALS.indexOf('temp')]).toBe(0);
    expect(out.scores[0]).toBe(2 * hr + 2 * spo2 + 20);
  });
});

describe(modelOptionsFrom.name, () => {
  it('takes the alert level calibrated to the false-alert budget, and the input the model was trained on', () => {
    const meta = {
      config: { input: 'residual' },
      thresholds: { p95: 0.3, p99: 0.5, p999: 0.8, alert: 0.5 },
    } as unknown as ModelMetadata;
    expect(modelOptionsFrom(meta)).toEqual({ alertError: 0.5, residualInput: true });
    const raw = { config: {}, thresholds: { alert: 0.7 } } as unknown as ModelMetadata;
    expect(modelOptionsFrom(raw)).toEqual({ alertError: 0.7, residualInput: false });
  });
});
