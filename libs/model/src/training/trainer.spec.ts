import { VITALS } from '@vigil/contracts';
import { initTfBackend } from '../tf-backend';
import { randomWindows } from '../testing/test-model';
import { normalisationOf } from './training-windows';
import { quantile, trainAutoencoder, type TrainerData } from './trainer';

describe(trainAutoencoder.name, () => {
  const T = 10;
  const F = VITALS.length;
  const train = randomWindows(11, 64, T, F);
  const validation = randomWindows(12, 16, T, F);
  const data: TrainerData = {
    train,
    trainCount: 64,
    validation,
    validationCount: 16,
    normalisation: normalisationOf(train, F),
  };
  const config = { windowSize: T, features: [...VITALS], units: 4 };

  beforeAll(() => initTfBackend());

  async function run(seed: number) {
    const result = await trainAutoencoder(data, {
      config,
      seed,
      epochs: 2,
      patience: 5,
      batchSize: 16,
      learningRate: 5e-3,
    });
    const weights = result.model.getWeights().map((w) => Array.from(w.dataSync()));
    result.model.dispose();
    return { history: result.history, weights, valScores: Array.from(result.valScores) };
  }

  it('is deterministic for a seed, differs for another, and lowers the loss', async () => {
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
    expect(a.history).toHaveLength(2);
    expect(a.history[1].loss).toBeLessThan(a.history[0].loss);
    expect(a.valScores).toHaveLength(16);
  });

  it('refuses to train without validation windows', async () => {
    await expect(
      trainAutoencoder(
        { ...data, validationCount: 0 },
        { config, seed: 1, epochs: 1, patience: 1, batchSize: 16, learningRate: 1e-3 },
      ),
    ).rejects.toThrow(/no training or validation windows/);
  });
});

describe(quantile.name, () => {
  it('interpolates between order statistics', () => {
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([10, 20], 0.99)).toBeCloseTo(19.9, 10);
  });
});
