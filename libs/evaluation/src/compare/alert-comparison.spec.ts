import {
  agreementOf,
  alertRates,
  type ComparedAlert,
  compareAlertRates,
  matchAlerts,
  OnlineAlertAgreement,
} from './alert-comparison';

const MIN = 60_000;
const alert = (patientId: string, minute: number, severity: ComparedAlert['severity'] = 'low') => ({
  patientId,
  at: minute * MIN,
  severity,
});

describe(alertRates.name, () => {
  it('counts alerts per patient-day, in all and per severity', () => {
    const rates = alertRates([alert('p1', 1, 'high'), alert('p1', 90), alert('p2', 5, 'low')], 2);
    expect(rates).toEqual({
      alerts: 3,
      perPatientDay: 1.5,
      bySeverity: {
        low: { alerts: 2, perPatientDay: 1 },
        medium: { alerts: 0, perPatientDay: 0 },
        high: { alerts: 1, perPatientDay: 0.5 },
      },
    });
  });

  it('has no rate when nothing was monitored', () => {
    expect(alertRates([], 0).perPatientDay).toBeNull();
  });
});

describe(matchAlerts.name, () => {
  it('pairs alerts of the same patient raised within the tolerance, one to one', () => {
    const a = [alert('p1', 10), alert('p1', 12), alert('p2', 30), alert('p3', 50)];
    const b = [alert('p1', 11), alert('p2', 40), alert('p3', 52, 'high')];
    // p1: 10↔11 (12 has no partner left); p2: 10 min apart; p3: 2 min apart, severity does not matter.
    expect(matchAlerts(a, b, 5 * MIN)).toEqual({ matched: 2, onlyA: 2, onlyB: 1, agreement: 4 / 7 });
  });

  it('never pairs alerts of different patients', () => {
    expect(matchAlerts([alert('p1', 10)], [alert('p2', 10)], 5 * MIN)).toMatchObject({ matched: 0 });
  });

  it('pairs in time order, so an early alert does not take the partner a later one needs', () => {
    // b's 12 is within 2 min of both of a's; taking it for a's 12 (an exact hit) would leave a's 10 alone.
    const a = [alert('p', 10), alert('p', 12)];
    const b = [alert('p', 8), alert('p', 12)];
    expect(matchAlerts(a, b, 2 * MIN).matched).toBe(2);
  });

  it('agrees fully on identical alerts and is undefined when neither model alerted', () => {
    const same = [alert('p1', 1), alert('p2', 2)];
    expect(matchAlerts(same, same, 0).agreement).toBe(1);
    expect(matchAlerts([], [], MIN).agreement).toBeNull();
    expect(agreementOf(0, 3, 0).agreement).toBe(0);
  });
});

describe(compareAlertRates.name, () => {
  it('puts both models’ rates over the same patient-days side by side', () => {
    const c = compareAlertRates([alert('p1', 1, 'medium')], [alert('p1', 2), alert('p1', 300)], 0.5, 5 * MIN);
    expect(c.a.perPatientDay).toBe(2);
    expect(c.b.perPatientDay).toBe(4);
    expect(c.b.bySeverity.low.alerts).toBe(2);
    expect(c.agreement).toEqual({ matched: 1, onlyA: 0, onlyB: 1, agreement: 2 / 3 });
  });
});

describe(OnlineAlertAgreement.name, () => {
  it('settles the same counts as the batch matching once each patient’s clock has passed the tolerance', () => {
    const a = [alert('p1', 10), alert('p1', 12), alert('p2', 30), alert('p3', 50)];
    const b = [alert('p1', 11), alert('p2', 40), alert('p3', 52)];
    const online = new OnlineAlertAgreement(5 * MIN);
    const events = [...a.map((x) => ['a', x] as const), ...b.map((x) => ['b', x] as const)].sort(
      (p, q) => p[1].at - q[1].at,
    );
    for (const [side, x] of events) {
      online.advance(x.patientId, x.at);
      online.add(side, x);
    }
    // p2's first alert is settled (its clock reached 40 min); p1's second and p2's b are still pending.
    expect(online.result).toEqual({ matched: 2, onlyA: 1, onlyB: 0, agreement: 0.8 });
    for (const p of ['p1', 'p2', 'p3']) online.advance(p, 120 * MIN);
    expect(online.result).toEqual(matchAlerts(a, b, 5 * MIN));
  });
});
