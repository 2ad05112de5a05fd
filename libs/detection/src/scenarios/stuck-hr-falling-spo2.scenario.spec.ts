import { samples, WARM_UP_S, warmedUp } from './scenario-helpers';

describe('scenario: a stuck heart-rate sensor while SpO2 falls', () => {
  it('raises the technical alarm for HR and, apart from it, the clinical alarm carried by SpO2', async () => {
    const { pipeline } = await warmedUp('p10');
    const start = WARM_UP_S;
    const out = await pipeline.process(
      samples('p10', start, 600, (s) => ({ hr: 88, spo2: s - start < 120 ? 97 : 87 })),
    );
    const raised = out.alerts.filter((a) => a.state === 'raised');
    expect(raised.map((a) => [a.kind, a.vitals])).toEqual([
      ['technical', ['hr']],
      ['clinical', ['spo2']],
    ]);
    expect(raised[0].reason).toMatch(/^Check the sensor: heart rate stuck at 88 bpm/);
    expect(raised[1].reason).toMatch(/^SpO2 87 % \(usual 97 %\)/);
    expect(raised[1].reason).not.toMatch(/HR/);
  });
});
