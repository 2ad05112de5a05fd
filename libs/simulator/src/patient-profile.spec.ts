import { BAND_EDGE_SHARE, BAND_EDGES, bandEdgeOfPatient, randomProfile, subgroupOf } from './patient-profile';
import { Random } from './random';

describe(randomProfile.name, () => {
  const profiles = Array.from({ length: 1000 }, (_, i) => randomProfile(Random.derive(42, i, 1)));

  it('puts about a fifth of patients at a NEWS2 band edge, each kind present', () => {
    const edge = profiles.filter((p) => p.bandEdge !== null);
    expect(edge.length / profiles.length).toBeGreaterThan(BAND_EDGE_SHARE - 0.04);
    expect(edge.length / profiles.length).toBeLessThan(BAND_EDGE_SHARE + 0.04);
    for (const kind of BAND_EDGES) expect(edge.filter((p) => p.bandEdge === kind).length).toBeGreaterThan(30);
  });

  it('gives each band edge its usual value, and the others normals clear of those edges', () => {
    for (const p of profiles) {
      const inRange = (x: number, lo: number, hi: number) => x >= lo && x <= hi;
      expect(inRange(p.sbp, 92, 100)).toBe(p.bandEdge === 'low_sbp');
      expect(inRange(p.rr, 10, 12)).toBe(p.bandEdge === 'low_rr');
      expect(inRange(p.spo2, 93, 95)).toBe(p.bandEdge === 'low_spo2');
      expect(inRange(p.restingHr, 48, 52)).toBe(p.bandEdge === 'low_hr');
      expect(p.dbp).toBeLessThan(p.sbp - 20);
    }
  });

  it('draws BP cadence 15–60 min and 2–6 bouts of exercise a waking day', () => {
    for (const p of profiles) {
      expect(p.bpIntervalS).toBeGreaterThanOrEqual(900);
      expect(p.bpIntervalS).toBeLessThanOrEqual(3600);
      expect(p.boutsPerDay).toBeGreaterThanOrEqual(2);
      expect(p.boutsPerDay).toBeLessThanOrEqual(6);
    }
    expect(new Set(profiles.map((p) => subgroupOf(p.age))).size).toBe(3);
  });

  it('is deterministic for a stream', () => {
    expect(randomProfile(Random.derive(42, 7, 1))).toEqual(profiles[7]);
  });
});

describe(bandEdgeOfPatient.name, () => {
  it('puts every third patient of a ward at a band edge, each kind in turn', () => {
    const ward = Array.from({ length: 12 }, (_, i) => bandEdgeOfPatient(i));
    expect(ward.filter((e) => e !== null)).toEqual([...BAND_EDGES]);
    expect(randomProfile(Random.derive(1, 4, 1), bandEdgeOfPatient(4)).bandEdge).toBe('low_rr');
  });
});
