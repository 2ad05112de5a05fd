import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from './tf-backend';
import { loadTfjsScorer, TfjsScorer } from './tfjs-scorer';
import { randomWindows, writeSeededModel } from './testing/test-model';

describe(TfjsScorer.name, () => {
  let dir: string;
  let scorer: TfjsScorer;
  const T = 20;
  const F = 7;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-tfjs-'));
    await writeSeededModel(dir, 3, { windowSize: T, units: 8 });
    scorer = await loadTfjsScorer(dir);
  });
  afterAll(async () => {
    await scorer.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the tensor count flat across many predictions (no leaks)', async () => {
    const windows = randomWindows(1, 8, T, F);
    await scorer.score(windows, 8); // warm-up may allocate lasting state once
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await scorer.score(windows, 1 + (i % 8));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('returns one score and F contributions per window, contributions summing to the score', async () => {
    const { scores, contributions } = await scorer.score(randomWindows(2, 5, T, F), 5);
    expect(scores).toHaveLength(5);
    expect(contributions).toHaveLength(5 * F);
    for (let b = 0; b < 5; b++) {
      expect(scores[b]).toBeGreaterThan(0);
      const sum = contributions.subarray(b * F, (b + 1) * F).reduce((a, c) => a + c, 0);
      expect(sum).toBeCloseTo(scores[b], 5);
    }
  });

  it('scores a window the same alone as inside a batch', async () => {
    const windows = randomWindows(4, 6, T, F);
    const batch = await scorer.score(windows, 6);
    const alone = await scorer.score(windows.slice(3 * T * F, 4 * T * F), 1);
    expect(Math.abs(alone.scores[0] - batch.scores[3])).toBeLessThanOrEqual(1e-5 * batch.scores[3]);
  });

  it('gives an empty result for zero windows', async () => {
    expect((await scorer.score(new Float32Array(0), 0)).scores).toHaveLength(0);
  });
});
