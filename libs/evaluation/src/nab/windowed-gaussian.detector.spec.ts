import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asPublished, parseNabCsv, windowsToRows } from './nab-corpus';
import { scoreAtThreshold, scoreByThreshold, sweepCorpus } from './nab-sweeper';
import { NullDetector, WindowedGaussianDetector } from './windowed-gaussian.detector';

// A real NAB file and NAB's own published per-file scores for its windowedGaussian detector
// (fixtures/nab/SOURCE.md): reproducing them checks the detector and the scorer together.
const fixtures = join(__dirname, '..', '..', 'fixtures', 'nab');
const series = parseNabCsv(readFileSync(join(fixtures, 'speed_7578.csv'), 'utf8'));
const windows = windowsToRows(
  series.timestamps,
  JSON.parse(readFileSync(join(fixtures, 'speed_7578.windows.json'), 'utf8')) as [string, string][],
);

describe(WindowedGaussianDetector.name, () => {
  const scores = asPublished(new WindowedGaussianDetector().detect(series.values));

  it.each([
    ['standard', { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 }, 3.47059145681],
    ['reward_low_FP_rate', { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 }, 3.36059145681],
    ['reward_low_FN_rate', { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 }, 3.47059145681],
  ])('reproduces NAB’s published %s score on speed_7578 at threshold 1.0', (_profile, cost, published) => {
    const table = scoreByThreshold(sweepCorpus([{ anomalyScores: scores, windows }], cost));
    expect(scoreAtThreshold(table, 1.0).score).toBeCloseTo(published, 9);
  });

  it('scores the first row 0 and a value far off the window’s mean near 1', () => {
    const out = new WindowedGaussianDetector(4, 2).detect([1, 2, 1, 2, 100]);
    expect(out[0]).toBe(0);
    expect(out[4]).toBeGreaterThan(0.999999);
    expect(out[2]).toBeLessThan(0.9);
  });
});

describe(NullDetector.name, () => {
  it('scores every row 0.5', () => {
    expect([...new NullDetector().detect([1, 2, 3])]).toEqual([0.5, 0.5, 0.5]);
  });
});
