import { histogramBuckets, histogramQuantile, percentilesOf } from './hop-latency';

const scrape = (counts: Record<string, number>, extra = '') =>
  [
    '# HELP vigil_x_seconds x',
    '# TYPE vigil_x_seconds histogram',
    ...Object.entries(counts).map(([le, n]) => `vigil_x_seconds_bucket{le="${le}"${extra}} ${n}`),
    `vigil_x_seconds_sum 1`,
    `vigil_x_seconds_count ${counts['+Inf']}`,
    'vigil_x_seconds_other_bucket{le="0.1"} 999',
  ].join('\n');

describe('hop latency helpers', () => {
  it('reads a histogram’s cumulative buckets, summed over other labels, ascending, +Inf last', () => {
    const text = `${scrape({ '0.1': 2, '1': 5, '+Inf': 6 }, ',app="a"')}\n${scrape({ '0.1': 1, '1': 1, '+Inf': 1 }, ',app="b"')}`;
    expect(histogramBuckets(text, 'vigil_x_seconds')).toEqual([
      [0.1, 3],
      [1, 6],
      [Infinity, 7],
    ]);
  });

  it('takes a quantile of what was observed between two scrapes, as its bucket’s upper bound', () => {
    const before = histogramBuckets(
      scrape({ '0.1': 100, '1': 100, '5': 100, '+Inf': 100 }),
      'vigil_x_seconds',
    );
    // Between the scrapes: 90 under 0.1 s, 9 in (0.1, 1], 1 in (1, 5].
    const after = histogramBuckets(
      scrape({ '0.1': 190, '1': 199, '5': 200, '+Inf': 200 }),
      'vigil_x_seconds',
    );
    expect(histogramQuantile(before, after, 0.5)).toBe(0.1);
    expect(histogramQuantile(before, after, 0.95)).toBe(1);
    expect(histogramQuantile(before, after, 0.999)).toBe(5);
    expect(histogramQuantile(before, before, 0.5)).toBeNull();
  });

  it('says Infinity when the quantile lies past the last finite bound', () => {
    const before = histogramBuckets(scrape({ '1': 0, '+Inf': 0 }), 'vigil_x_seconds');
    const after = histogramBuckets(scrape({ '1': 1, '+Inf': 10 }), 'vigil_x_seconds');
    expect(histogramQuantile(before, after, 0.5)).toBe(Infinity);
  });

  it('gives nearest-rank percentiles of unsorted durations', () => {
    expect(percentilesOf([30, 10, 20])).toEqual({ p50: 20, p95: 30, p99: 30 });
    expect(percentilesOf([])).toEqual({ p50: null, p95: null, p99: null });
  });
});
