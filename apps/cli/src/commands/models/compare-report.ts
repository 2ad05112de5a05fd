import { SEVERITIES } from '@vigil/contracts';
import {
  type AlertRateComparison,
  type AlertRecord,
  type ComparedAlert,
  type EventReport,
} from '@vigil/evaluation';

/** One model's side of `vigil models compare`: its folder, its alert rates, its detection figures. */
export interface ComparedModel {
  readonly dir: string;
  /** The fused detector's report on the recording's labels (null when the recording has no episodes). */
  readonly report: EventReport | null;
}

export interface ModelComparison {
  readonly recording: string;
  readonly a: ComparedModel;
  readonly b: ComparedModel;
  readonly rates: AlertRateComparison;
}

/** The clinical alerts a care team would have got, as the comparison reads them. */
export function comparedAlerts(records: readonly AlertRecord[]): ComparedAlert[] {
  return records
    .filter((r) => r.kind === 'clinical')
    .map((r) => ({ patientId: r.patient, at: r.ts_ms, severity: r.severity }));
}

const perDay = (n: number | null) => (n === null ? '–' : n.toFixed(2));
const percent = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)} %`);
const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${Math.round(ms / 1000)} s`);

/** The side-by-side table's rows: label, model A, model B. */
export function comparisonRows(c: ModelComparison): string[][] {
  const { a, b } = c.rates;
  const rows: string[][] = [
    ['alerts / patient-day', perDay(a.perPatientDay), perDay(b.perPatientDay)],
    ...[...SEVERITIES].reverse().map((s) => [
      `  ${s}`,
      perDay(a.bySeverity[s].perPatientDay),
      perDay(b.bySeverity[s].perPatientDay),
    ]),
    ['alerts', String(a.alerts), String(b.alerts)],
  ];
  if (c.a.report && c.b.report) {
    const [ra, rb] = [c.a.report, c.b.report];
    rows.push(
      ['false alerts / patient-day', perDay(ra.falseAlertsPerPatientDay), perDay(rb.falseAlertsPerPatientDay)],
      ['recall (labelled episodes)', percent(ra.recall), percent(rb.recall)],
      ['precision', percent(ra.precision), percent(rb.precision)],
      ['acute: median time to detect', seconds(ra.acute.ttdMedianMs), seconds(rb.acute.ttdMedianMs)],
    );
  }
  const g = c.rates.agreement;
  rows.push(
    [`raised by both (within ${Math.round(c.rates.toleranceMs / 60_000)} min)`, String(g.matched), String(g.matched)],
    ['raised by this model only', String(g.onlyA), String(g.onlyB)],
    ['agreement (2·both ÷ all)', percent(g.agreement), percent(g.agreement)],
  );
  return rows;
}
