import { LstmAutoencoderNabDetector } from './nab-lstm.detector';

describe(LstmAutoencoderNabDetector.name, () => {
  // A seeded noisy sine with one spike after the probationary rows (15 % of 300 = 45 < 8·T = 64 training rows).
  let seed = 11;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
  const series = Array.from({ length: 300 }, (_, i) => Math.sin((2 * Math.PI * i) / 25) + noise());
  series[250] += 4;
  const detector = () => new LstmAutoencoderNabDetector({ window: 8, units: 4, epochs: 3, seed: 5 });

  it('gives one score in [0, 1] per row, the same for the same seed, highest while the spike is in the window', async () => {
    const a = await detector().detect(series);
    const b = await detector().detect(series);
    expect(a).toHaveLength(series.length);
    expect(a.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect([...a]).toEqual([...b]);
    const tail = [...a.subarray(100)];
    const top = tail.indexOf(Math.max(...tail)) + 100;
    expect(top).toBeGreaterThanOrEqual(250);
    expect(top).toBeLessThan(258);
  }, 60_000);
});
