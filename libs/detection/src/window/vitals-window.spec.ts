import { VitalsWindow } from './vitals-window';

const HR = 0;
const SPO2 = 1;

function snapshot(w: VitalsWindow): number[][] {
  const out = new Float32Array(w.length * 7);
  w.copyTo(out);
  return Array.from({ length: w.length }, (_, t) => [out[t * 7 + HR], out[t * 7 + SPO2]]);
}

describe(VitalsWindow.name, () => {
  it('keeps the newest T slots oldest-first', () => {
    const w = new VitalsWindow(3);
    for (let s = 0; s < 5; s++) w.push(s * 1000, { hr: 60 + s, spo2: 95 });
    expect(snapshot(w)).toEqual([
      [62, 95],
      [63, 95],
      [64, 95],
    ]);
    expect(w.endTs).toBe(4000);
    expect(w.filled).toBe(3);
  });

  it('leaves a gap empty instead of inventing values', () => {
    const w = new VitalsWindow(4);
    w.push(0, { hr: 60 });
    w.push(3000, { hr: 63 });
    const s = snapshot(w);
    expect(s[0][0]).toBe(60);
    expect(Number.isNaN(s[1][0]) && Number.isNaN(s[2][0])).toBe(true);
    expect(s[3][0]).toBe(63);
    expect(w.filled).toBe(2);
  });

  it('merges two samples of one slot and places a late sample in its slot', () => {
    const w = new VitalsWindow(4);
    w.push(0, { hr: 60 });
    w.push(2000, { hr: 62 });
    w.push(2500, { spo2: 97 });
    w.push(1000, { hr: 61 });
    expect(snapshot(w).slice(1)).toEqual([
      [60, NaN],
      [61, NaN],
      [62, 97],
    ]);
  });

  it('ignores a sample older than the window', () => {
    const w = new VitalsWindow(2);
    w.push(10_000, { hr: 70 });
    expect(w.push(5_000, { hr: 50 })).toBe(false);
    expect(w.filled).toBe(1);
  });

  it('empties itself after a gap longer than the window', () => {
    const w = new VitalsWindow(3);
    for (let s = 0; s < 3; s++) w.push(s * 1000, { hr: 60 });
    w.push(100_000, { hr: 80 });
    expect(w.filled).toBe(1);
    expect(w.recentMedian(HR, 3)).toBe(80);
  });

  it('takes the median of recent values, skipping missing ones', () => {
    const w = new VitalsWindow(10);
    [70, 200, 72, undefined, 71].forEach((hr, s) => w.push(s * 1000, { hr }));
    expect(w.recentMedian(HR, 5)).toBe(71.5);
    expect(w.recentMedian(SPO2, 5)).toBeUndefined();
  });
});
