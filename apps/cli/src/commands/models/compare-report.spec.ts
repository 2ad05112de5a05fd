import { compareAlertRates, type AlertRecord } from '@vigil/evaluation';
import { comparedAlerts, comparisonRows } from './compare-report';

const record = (patient: string, minute: number, kind: AlertRecord['kind'], severity: AlertRecord['severity']) =>
  ({ patient, device: null, ts_ms: minute * 60_000, kind, severity, evidence: [], reason: '' }) as AlertRecord;

describe(comparedAlerts.name, () => {
  it('compares the clinical alerts only (technical alarms are about the sensor)', () => {
    expect(comparedAlerts([record('p1', 1, 'clinical', 'high'), record('p1', 2, 'technical', 'low')])).toEqual([
      { patientId: 'p1', at: 60_000, severity: 'high' },
    ]);
  });
});

describe(comparisonRows.name, () => {
  it('puts both models’ rates per patient-day and their agreement side by side', () => {
    const a = comparedAlerts([record('p1', 10, 'clinical', 'medium'), record('p2', 10, 'clinical', 'low')]);
    const b = comparedAlerts([record('p1', 12, 'clinical', 'low')]);
    const rows = comparisonRows({
      recording: 'r',
      a: { dir: 'A', report: null },
      b: { dir: 'B', report: null },
      rates: compareAlertRates(a, b, 2, 5 * 60_000),
    });
    expect(rows).toEqual([
      ['alerts / patient-day', '1.00', '0.50'],
      ['  high', '0.00', '0.00'],
      ['  medium', '0.50', '0.00'],
      ['  low', '0.50', '0.50'],
      ['alerts', '2', '1'],
      ['raised by both (within 5 min)', '1', '1'],
      ['raised by this model only', '1', '0'],
      ['agreement (2·both ÷ all)', '66.7 %', '66.7 %'],
    ]);
  });
});
