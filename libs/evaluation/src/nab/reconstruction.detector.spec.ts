import { ReconstructionDetector } from './reconstruction.detector';

describe(ReconstructionDetector.name, () => {
  // A clean daily-like sine with small seeded noise and one spike at row 900.
  let seed = 42;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
  const series = Array.from({ length: 1200 }, (_, i) => Math.sin((2 * Math.PI * i) / 50) + noise());
  series[900] += 3;

  it('scores in [0, 1], zero before it has a window and a history', () => {
    const out = new ReconstructionDetector({ window: 8 }).detect(series);
    expect(out.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect([...out.subarray(0, 15)].every((s) => s === 0)).toBe(true);
  });

  it('puts its highest score on the spike, well above the normal rows', () => {
    const out = new ReconstructionDetector({ window: 8 }).detect(series);
    const after = [...out.subarray(200)];
    const top = after.indexOf(Math.max(...after)) + 200;
    expect(top).toBeGreaterThanOrEqual(900);
    expect(top).toBeLessThan(908); // while the spike is inside the window
    const normal = [...out.subarray(200, 880)].sort((a, b) => a - b);
    expect(normal[Math.floor(normal.length * 0.5)]).toBeLessThan(0.9);
    expect(out[top]).toBeGreaterThan(normal[Math.floor(normal.length * 0.99)]);
    expect(out[top]).toBeGreaterThan(0.99);
  });
});
