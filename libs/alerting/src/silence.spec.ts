import type { AlertView, Silence } from '@vigil/contracts';
import { announced, decideSilence, highestSeverity, silenceActive } from './silence';

const alert = (over: Partial<AlertView> = {}): AlertView => ({
  alertId: 'a-1',
  patientId: 'p-1',
  kind: 'clinical',
  status: 'open',
  severity: 'medium',
  reason: 'SpO2 88 % (usual 96 %)',
  vitals: ['spo2'],
  evidence: [],
  startedAt: 0,
  updatedAt: 0,
  acknowledgedBy: null,
  ...over,
});

const now = 1_000_000;
const request = { patientId: 'p-1', minutes: 10, reason: 'repositioning the probe', by: 'nurse-1' };

describe(decideSilence.name, () => {
  it('silences the patient for the time-box, up to the highest severity open now', () => {
    const result = decideSilence(request, [alert(), alert({ alertId: 'a-2', severity: 'low' })], now, 60);
    expect(result).toEqual({
      ok: true,
      silence: {
        patientId: 'p-1',
        by: 'nurse-1',
        reason: 'repositioning the probe',
        severity: 'medium',
        from: now,
        until: now + 600_000,
      },
    });
  });

  it('refuses a silence without a reason, outside 1..max minutes, or with nothing open', () => {
    expect(decideSilence({ ...request, reason: '  ' }, [alert()], now, 60)).toMatchObject({
      ok: false,
      refused: 'no-reason',
    });
    for (const minutes of [0, 61, 1.5, Number.NaN])
      expect(decideSilence({ ...request, minutes }, [alert()], now, 60)).toMatchObject({
        ok: false,
        refused: 'bad-duration',
      });
    expect(decideSilence(request, [alert({ patientId: 'p-2' })], now, 60)).toMatchObject({
      ok: false,
      refused: 'nothing-to-silence',
    });
    expect(decideSilence(request, [alert({ status: 'resolved' })], now, 60)).toMatchObject({
      ok: false,
      refused: 'nothing-to-silence',
    });
  });
});

describe(announced.name, () => {
  const silence: Silence = {
    patientId: 'p-1',
    by: 'nurse-1',
    reason: 'probe',
    severity: 'medium',
    from: now,
    until: now + 600_000,
  };

  it('does not announce what the silence covers while it is in force', () => {
    expect(announced(alert(), silence, now + 1)).toBe(false);
    expect(announced(alert({ severity: 'low' }), silence, now + 1)).toBe(false);
  });

  it('never hides a higher severity', () => {
    expect(announced(alert({ severity: 'high' }), silence, now + 1)).toBe(true);
  });

  it('ends by itself, and covers only its own patient', () => {
    expect(announced(alert(), silence, now + 600_000)).toBe(true);
    expect(announced(alert({ patientId: 'p-2' }), silence, now + 1)).toBe(true);
    expect(silenceActive(silence, now + 599_999)).toBe(true);
    expect(silenceActive(silence, now + 600_000)).toBe(false);
  });

  it('never announces an acknowledged or resolved alert', () => {
    expect(announced(alert({ status: 'acknowledged', severity: 'high' }), null, now)).toBe(false);
    expect(announced(alert({ status: 'resolved', severity: 'high' }), null, now)).toBe(false);
    expect(announced(alert({ status: 'escalated' }), null, now)).toBe(true);
  });
});

describe(highestSeverity.name, () => {
  it('ranks IEC priorities', () => {
    expect(highestSeverity([])).toBeNull();
    expect(highestSeverity([{ severity: 'low' }, { severity: 'high' }, { severity: 'medium' }])).toBe('high');
  });
});
