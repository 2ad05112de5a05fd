import { ZScoreBaseline } from './zscore.baseline';

const options = { alertZ: 4, mediumZ: 6, warmup: 4, halfLife: 1000 };

describe(ZScoreBaseline.name, () => {
  it('says nothing until a vital is past its warm-up', () => {
    const b = new ZScoreBaseline(options);
    for (let i = 0; i < 4; i++) expect(b.assess({ hr: 60 })).toEqual({ z: null, severity: null, vitals: [] });
  });

  it('measures |x − mean| in units of the patient’s own spread, floored', () => {
    const b = new ZScoreBaseline(options);
    // hr 60, 70, 60, 70: mean 65, population variance 25 -> std 5 (above the 3 bpm floor)
    for (const hr of [60, 70, 60, 70]) b.assess({ hr });
    expect(b.assess({ hr: 85 })).toEqual({ z: 4, severity: 'low', vitals: ['hr'] });
    expect(b.assess({ hr: 35 }).severity).toBe('medium'); // z = 6
  });

  it('floors the spread of a perfectly steady patient', () => {
    const b = new ZScoreBaseline(options);
    for (let i = 0; i < 4; i++) b.assess({ spo2: 97 });
    // std 0 is floored at 0.7 %: 97 -> 94 is z = 3/0.7 = 4.29
    const r = b.assess({ spo2: 94 });
    expect(r.z).toBeCloseTo(3 / 0.7, 10);
    expect(r.vitals).toEqual(['spo2']);
  });

  it('does not learn abnormal windows, so a long episode stays abnormal', () => {
    const b = new ZScoreBaseline(options);
    for (const hr of [60, 70, 60, 70]) b.assess({ hr });
    for (let i = 0; i < 50; i++) expect(b.assess({ hr: 100 }).severity).toBe('medium');
  });

  it('ignores steps', () => {
    const b = new ZScoreBaseline(options);
    for (let i = 0; i < 5; i++) b.assess({ steps: 0 });
    expect(b.assess({ steps: 200 }).z).toBeNull();
  });
});
