import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOnnxScorer } from './onnx-scorer';
import { loadTfjsScorer } from './tfjs-scorer';
import { randomWindows, writeSeededModel } from './testing/test-model';

const DEFAULT_MODEL = join(__dirname, '..', '..', '..', 'models', 'default');

describe('ONNX export parity', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'vigil-parity-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('scores fixed windows the same with onnxruntime as with TF.js (≤ 1e-5 relative)', async () => {
    const meta = await writeSeededModel(dir, 42, { windowSize: 30, units: 16 });
    const tfjs = await loadTfjsScorer(dir);
    const onnx = await loadOnnxScorer(dir);
    const count = 16;
    const windows = randomWindows(7, count, 30, meta.config.features.length);
    const a = await tfjs.score(windows, count);
    const b = await onnx.score(windows, count);
    for (let i = 0; i < count; i++)
      expect(Math.abs(b.scores[i] - a.scores[i])).toBeLessThanOrEqual(1e-5 * a.scores[i]);
    for (let i = 0; i < a.contributions.length; i++)
      expect(Math.abs(b.contributions[i] - a.contributions[i])).toBeLessThanOrEqual(
        1e-5 * a.scores[Math.floor(i / 7)],
      );
    await tfjs.dispose();
    await onnx.dispose();
  });

  it('holds for the shipped default model on seeded windows', async () => {
    const tfjs = await loadTfjsScorer(DEFAULT_MODEL);
    const onnx = await loadOnnxScorer(DEFAULT_MODEL);
    const { windowSize: T, features } = tfjs.metadata.config;
    const count = 32;
    const windows = randomWindows(9, count, T, features.length);
    const a = await tfjs.score(windows, count);
    const b = await onnx.score(windows, count);
    const worst = Math.max(...Array.from(a.scores, (s, i) => Math.abs(b.scores[i] - s) / s));
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(Math.min(...a.scores)).toBeGreaterThan(0);
    await tfjs.dispose();
    await onnx.dispose();
  });

  it('splits large batches into chunks without changing the scores', async () => {
    const whole = await loadOnnxScorer(DEFAULT_MODEL, { chunk: 1024 });
    const chunked = await loadOnnxScorer(DEFAULT_MODEL, { chunk: 7 });
    const { windowSize: T, features } = whole.metadata.config;
    const windows = randomWindows(5, 40, T, features.length);
    const a = await whole.score(windows, 40);
    const b = await chunked.score(windows, 40);
    expect(
      Array.from(b.scores, (s, i) => Math.abs(s - a.scores[i]) / a.scores[i]).every((d) => d <= 1e-6),
    ).toBe(true);
    await whole.dispose();
    await chunked.dispose();
  });
});
