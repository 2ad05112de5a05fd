import { ConditionAssessor, SUDDEN_FALL_RULE, UNEXPLAINED_RISE_MS, type VitalNow } from './condition';

const now = (value: number, usual: number, spread: number, ready = true): VitalNow => ({
  value,
  lower: value,
  upper: value,
  usual,
  spread,
  ready,
});
const at = Date.UTC(2026, 0, 1, 10);
const base = {
  at,
  irregularity: null,
  activity: 'rest' as const,
  motion: true,
  limits: undefined,
  model: null,
};

describe(ConditionAssessor.name, () => {
  it('is quiet when every vital sits at the patient’s usual, even at a NEWS2 band edge', () => {
    const c = new ConditionAssessor().assess({
      ...base,
      vitals: { hr: now(52, 51, 4), spo2: now(93, 93, 1), rr: now(11, 11, 1.2), sbp: now(94, 95, 6) },
    });
    expect(c.severity).toBeNull();
    expect(c.news2).toBeGreaterThanOrEqual(4); // HR 0, SpO2 2, RR 1, SBP 2: a chart would score it
  });

  it('names only the vitals that are off, with the patient’s usual', () => {
    const c = new ConditionAssessor().assess({
      ...base,
      vitals: { hr: now(78, 76, 4), spo2: now(88, 97, 1), rr: now(23, 14, 1.3), temp: now(36.9, 36.8, 0.2) },
    });
    expect(c.severity).toBe('medium');
    expect(c.vitals).toEqual(['spo2', 'rr']);
    expect(c.reason).toBe('SpO2 88 % (usual 97 %), RR 23 /min (usual 14 /min)');
  });

  it('raises high on a hard limit whatever else says', () => {
    const c = new ConditionAssessor().assess({ ...base, vitals: { spo2: now(84, 85, 1) } });
    expect(c.severity).toBe('high');
    expect(c.evidence.map((e) => e.source)).toContain('limit');
  });

  it('expects a raised heart rate during activity, but not beyond the active ceiling', () => {
    const a = new ConditionAssessor();
    expect(
      a.assess({ ...base, activity: 'active', vitals: { hr: now(160, 70, 4), rr: now(28, 14, 1.3) } })
        .severity,
    ).toBeNull();
    expect(a.assess({ ...base, activity: 'active', vitals: { hr: now(195, 70, 4) } }).severity).toBe('high');
  });

  it('sees a falling blood pressure with a rising heart rate together (shock index), each too small alone', () => {
    const alone = new ConditionAssessor().assess({
      ...base,
      vitals: { hr: now(82, 70, 4), sbp: now(122, 124, 8) },
    });
    expect(alone.severity).toBeNull();
    const together = new ConditionAssessor().assess({
      ...base,
      vitals: { hr: now(82, 70, 4), sbp: now(106, 124, 8) },
    });
    expect(together.severity).toBe('medium');
    expect(together.vitals).toEqual(['sbp', 'hr']);
  });

  it('takes one cuff reading below the usual but above 100 mmHg for a reading to repeat, and counts it once the next is low too', () => {
    const sbp = (value: number, previous?: number): VitalNow => ({ ...now(value, 133, 8), previous });
    const hr = now(66, 64, 4);
    expect(
      new ConditionAssessor().assess({ ...base, vitals: { hr, sbp: sbp(109, 131) } }).severity,
    ).toBeNull();
    const confirmed = new ConditionAssessor().assess({ ...base, vitals: { hr, sbp: sbp(108, 109) } });
    expect(confirmed.vitals).toEqual(['sbp']);
    expect(confirmed.reason).toBe('SBP 108 mmHg (usual 133 mmHg)');
    // In NEWS2's low bands (≤ 100 mmHg) one reading is enough.
    expect(new ConditionAssessor().assess({ ...base, vitals: { hr, sbp: sbp(98, 131) } }).vitals).toEqual([
      'sbp',
    ]);
  });

  it('judges a vital by the population rule (a NEWS2 red score) until its normal is learned', () => {
    const c = new ConditionAssessor().assess({ ...base, vitals: { rr: now(26, 15, 1.5, false) } });
    expect(c.severity).toBe('medium');
    expect(c.reason).toBe('RR 26 /min');
  });

  it('without motion data, waits for a raised HR or RR to last before it counts; a fall or a red score at once', () => {
    const assessor = new ConditionAssessor();
    const unsensed = { ...base, motion: false };
    const raised = { hr: now(74, 55, 3), rr: now(19, 12, 1.2) };
    expect(assessor.assess({ ...unsensed, vitals: raised }).severity).toBeNull();
    expect(
      assessor.assess({ ...unsensed, at: at + UNEXPLAINED_RISE_MS / 2, vitals: raised }).severity,
    ).toBeNull();
    const lasting = assessor.assess({ ...unsensed, at: at + UNEXPLAINED_RISE_MS, vitals: raised });
    expect(lasting.severity).toBe('medium');
    expect(lasting.vitals).toEqual(['hr', 'rr']);

    const fresh = new ConditionAssessor();
    expect(fresh.assess({ ...unsensed, vitals: { hr: now(38, 60, 3) } }).severity).toBe('high');
    expect(fresh.assess({ ...unsensed, vitals: { rr: now(27, 14, 1.2) } }).severity).toBe('medium');
    expect(new ConditionAssessor().assess({ ...base, vitals: raised }).severity).toBe('medium');
  });

  it('sees a sudden fall in HR at rest into the low band, even near the night’s normal, and holds it while it lasts', () => {
    const assessor = new ConditionAssessor();
    // Awake at 62 /min a few minutes ago; the night's usual (52) is what the edge of the night judges by.
    const hr = (value: number) => ({ hr: { ...now(value, 52, 3), before: 62 } });
    expect(assessor.assess({ ...base, vitals: hr(62) }).severity).toBeNull();
    const fell = assessor.assess({ ...base, at: at + 5000, vitals: hr(45) });
    expect(fell.severity).toBe('low');
    expect(fell.vitals).toEqual(['hr']);
    // Later the level before it has become the fall itself; the level it fell from still counts.
    const later = { hr: { ...now(45, 52, 3), before: 45 } };
    expect(assessor.assess({ ...base, at: at + 20 * 60_000, vitals: later }).vitals).toEqual(['hr']);
    expect(assessor.assess({ ...base, at: at + 21 * 60_000, vitals: hr(55) }).severity).toBeNull();
  });

  it('does not take falling asleep, a fall to the usual, a fall above the low band or the end of effort for a sudden fall', () => {
    const judge = (value: number, before: number, usual: number, activity: 'rest' | 'recovery' = 'rest') =>
      new ConditionAssessor().assess({
        ...base,
        activity,
        vitals: { hr: { ...now(value, usual, 3), before } },
      }).severity;
    expect(judge(62 - SUDDEN_FALL_RULE.bpm + 1, 62, 58)).toBeNull(); // less than 10 bpm
    expect(judge(48, 60, 50)).toBeNull(); // back to (near) the usual, not below it
    expect(judge(60, 75, 70)).toBeNull(); // a fall, but not into the low band
    expect(judge(45, 62, 52, 'recovery')).toBeNull(); // effort ending: not judged
    expect(judge(45, 62, 52)).toBe('low');
  });
});
