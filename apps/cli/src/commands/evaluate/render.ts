import {
  ACUTE_TYPES,
  NAB_PROFILE_NAMES,
  type DetectorName,
  type EventReport,
  type Interval,
} from '@vigil/evaluation';
import { type TableRenderer } from './cli-edges';
import { type MimicEvaluation } from './mimic-evaluation';
import { type NabEvaluation } from './nab-evaluation';
import { type RecordingEvaluation } from './recording-evaluation';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)} %`;
const num = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '-' : x.toFixed(digits);
const secs = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '-' : `${Math.round(ms / 1000)} s`;
const mins = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '-' : `${(ms / 60_000).toFixed(1)} min`;

const LABEL: Record<DetectorName, string> = {
  news2: 'NEWS2 thresholds',
  zscore: 'per-patient z-score',
  'lstm-ae': 'LSTM-AE',
  vigil: 'Vigil (fused)',
};

export function renderRecording(r: RecordingEvaluation, table: TableRenderer): string {
  const out: string[] = [];
  out.push(
    `Recording ${r.recording}: ${r.patients} patients, ${r.patientDays.toFixed(2)} patient-days (${r.seed === null ? 'not simulated' : `simulated, seed ${r.seed}`}); ` +
      `${r.samples} samples, ${r.windows} windows replayed in ${r.wallSeconds.toFixed(1)} s.`,
  );
  out.push(
    `Rules: an episode is detected when an alert is raised in [start, end + ${r.graceMs / 60_000} min] (Vigil: or an open alert is re-announced there, escalated or another vital off); TTD = raise time − start (for blood pressure: − the first cuff reading inside the episode). ` +
      'Precision = alerts on a clinical episode ÷ all alerts (an alert on a sensor fault counts against it); ' +
      'false alerts/day exclude alerts on sensor faults, which are counted on their own (tech/day). [brackets]: 95 % bootstrap interval over patients.',
  );
  const o = r.detection;
  out.push(
    `Scorer settings: T=${o.windowLength} s windows every ${o.strideSlots} s; alert when ${o.policy.confirm} of ${o.policy.of} windows are abnormal, ` +
      `resolve after ${o.policy.clear} normal, cooldown ${o.policy.cooldownMs / 1000} s` +
      (o.model
        ? `; LSTM-AE abnormal at reconstruction error ${o.model.alertError.toPrecision(3)} (calibrated to the false-alert budget).`
        : '.'),
  );
  for (const [d, why] of Object.entries(r.notRun)) out.push(`Not run: ${d} — ${why}`);
  out.push('');
  const ci = (i: Interval | undefined, f: (x: number | null) => string) =>
    i ? ` [${f(i.low)}–${f(i.high)}]` : '';
  const bare = (x: number | null) => (x === null ? '-' : (100 * x).toFixed(0));
  const rows = r.ran.map((d) => {
    const x = r.reports[d] as EventReport;
    const i = r.intervals[d];
    return [
      LABEL[d],
      pct(x.recall) + ci(i?.recall, bare),
      pct(x.precision) + ci(i?.precision, bare),
      num(x.falseAlertsPerPatientDay) + ci(i?.falseAlertsPerPatientDay, (v) => num(v, 1)),
      num(x.technicalAlertsPerPatientDay),
      mins(x.ttdMedianMs),
      mins(x.ttdP90Ms),
      x.alerts,
      `${x.detected}/${x.episodes}`,
      num(r.curves[d]?.ap ?? null),
    ];
  });
  out.push(
    table(rows, [
      'detector',
      'recall',
      'precision',
      'false/pt-day',
      'tech/pt-day',
      'TTD median',
      'TTD p90',
      'alerts',
      'detected',
      'AP (raw score)',
    ]),
  );

  out.push(
    '',
    'Best F1 of each raw-score sweep (no alert policy; chosen on this test set, so optimistic — a calibration hint, not a result):',
  );
  out.push(
    table(
      Object.entries(r.curves).map(([d, c]) => {
        const f1 = (p: { precision: number | null; recall: number | null }) =>
          p.precision && p.recall ? (2 * p.precision * p.recall) / (p.precision + p.recall) : 0;
        const best = [...c.points].sort((a, b) => f1(b) - f1(a))[0];
        return [
          LABEL[d as DetectorName],
          c.score,
          best ? num(best.threshold) : '-',
          best ? pct(best.recall) : '-',
          best ? pct(best.precision) : '-',
          best ? num(best.falseAlertsPerPatientDay) : '-',
        ];
      }),
      ['detector', 'score', 'threshold', 'recall', 'precision', 'false/pt-day'],
    ),
  );

  const types = [...new Set(r.ran.flatMap((d) => Object.keys(r.reports[d]?.byType ?? {})))].sort();
  out.push('', 'Recall (median TTD) per anomaly type:');
  out.push(
    table(
      types.map((t) => [
        t,
        r.reports[r.ran[0]]?.byType[t]?.episodes ?? 0,
        ...r.ran.map((d) => {
          const x = r.reports[d]?.byType[t];
          return x ? `${pct(x.recall)} (${mins(x.ttdMedianMs)})` : '-';
        }),
      ]),
      ['type', 'episodes', ...r.ran.map((d) => LABEL[d])],
    ),
  );
  out.push(
    table(
      [
        [
          `acute (${ACUTE_TYPES.join(', ')})`,
          r.reports[r.ran[0]]?.acute.episodes ?? 0,
          ...r.ran.map((d) => {
            const x = r.reports[d]?.acute;
            return x ? `${pct(x.recall)} (${secs(x.ttdMedianMs)})` : '-';
          }),
        ],
      ],
      ['pooled', 'episodes', ...r.ran.map((d) => LABEL[d])],
    ),
  );
  const unobservable = r.reports[r.ran[0]]?.unobservable ?? 0;
  if (unobservable > 0)
    out.push(
      `${unobservable} clinical episode(s) had no reading of their vital inside them (counted as missed).`,
    );
  const confounderTypes = [
    ...new Set(r.ran.flatMap((d) => Object.keys(r.reports[d]?.confounders ?? {}))),
  ].sort();
  if (confounderTypes.length > 0) {
    out.push(
      '',
      'False alerts during confounders (counted in the totals too): alerts / stretches that drew one:',
    );
    out.push(
      table(
        confounderTypes.map((c) => [
          c,
          r.reports[r.ran[0]]?.confounders[c]?.confounders ?? 0,
          ...r.ran.map((d) => {
            const x = r.reports[d]?.confounders[c];
            return x ? `${x.falseAlerts} / ${x.withFalseAlert}` : '-';
          }),
        ]),
        ['confounder', 'stretches', ...r.ran.map((d) => LABEL[d])],
      ),
    );
  }
  const groups = [...new Set(r.ran.flatMap((d) => Object.keys(r.reports[d]?.bySubgroup ?? {})))].sort();
  out.push('', 'Per subgroup: recall / precision / false alerts per patient-day:');
  out.push(
    table(
      groups.map((g) => [
        g,
        r.reports[r.ran[0]]?.bySubgroup[g]?.patients ?? 0,
        ...r.ran.map((d) => {
          const x = r.reports[d]?.bySubgroup[g];
          return x ? `${pct(x.recall)} / ${pct(x.precision)} / ${num(x.falseAlertsPerPatientDay)}` : '-';
        }),
      ]),
      ['subgroup', 'patients', ...r.ran.map((d) => LABEL[d])],
    ),
  );
  out.push('', 'Sensor faults (technical episodes) that drew an alert:');
  out.push(
    table(
      r.ran.map((d) => {
        const t = (r.reports[d] as EventReport).technical;
        return [
          LABEL[d],
          `${t.alerted}/${t.episodes}`,
          pct(t.alertedFraction),
          ...Object.entries(t.byType).map(([k, v]) => `${k} ${v.alerted}/${v.episodes}`),
        ];
      }),
      ['detector', 'alerted', 'share', 'by type'],
    ),
  );
  const sc = r.sensorCheck;
  out.push(
    '',
    `Sensor check (technical "check the sensor" alarms, apart from the clinical detectors above): ` +
      `caught ${sc.faults.alerted}/${sc.faults.episodes} sensor faults (` +
      Object.entries(sc.faults.byType)
        .map(([k, v]) => `${k} ${v.alerted}/${v.episodes}`)
        .join(', ') +
      `); ${sc.alarms} alarms, ${sc.duringFaults} of them during a labelled fault`,
  );
  if (r.pictures.length) out.push('', `Pictures: ${r.pictures.join(', ')}`);
  if (r.alertsOut) out.push(`Alerts raised (JSONL): ${r.alertsOut}`);
  return out.join('\n');
}

export function renderNab(n: NabEvaluation, table: TableRenderer): string {
  const out: string[] = [];
  out.push(
    `NAB corpus ${n.corpus}: ${n.files} files, ${n.rows} rows, ${n.windows} labelled windows; NAB's rules, threshold optimised per detector and profile.`,
  );
  const ours = n.runs.map((r) => [
    `${r.detector} (ran here)`,
    ...NAB_PROFILE_NAMES.map((p) => r.scores[p].toFixed(2)),
  ]);
  const board = Object.entries(n.published)
    .sort((a, b) => b[1].standard - a[1].standard)
    .map(([d, s]) => [`${d} (published)`, ...NAB_PROFILE_NAMES.map((p) => (s[p] ?? NaN).toFixed(2))]);
  const rows = [...ours, ...board].sort((a, b) => Number(b[1]) - Number(a[1]));
  out.push(table(rows, ['detector', 'standard', 'low FP', 'low FN']));
  for (const r of n.runs) out.push(`  ${r.detector}: ${r.description} (${r.seconds.toFixed(1)} s)`);
  if (n.reproduction) {
    const worst = Math.max(...Object.values(n.reproduction).map(Math.abs));
    out.push(
      `Scorer check: NAB's windowedGaussian run here differs from its published scores by at most ${worst.toExponential(1)} points ` +
        `(${worst < 0.01 ? 'reproduced' : 'NOT reproduced'}).`,
    );
  }
  out.push(
    n.runs.some((r) => r.detector === 'vigilLstmAE')
      ? 'vigilLstmAE is the LSTM autoencoder’s network and trainer on one series (the shipped vitals model is 7-feature and cannot read NAB); vigilLinearAE is its linear counterpart.'
      : 'The shipped LSTM autoencoder is 7-feature and vitals-specific, so it did not run on NAB; vigilLinearAE applies its idea (windowed reconstruction error against the stream’s own usual) to one series. --nab-lstm trains the same LSTM network per series.',
  );
  return out.join('\n');
}

export function renderMimic(m: MimicEvaluation, table: TableRenderer): string {
  const out: string[] = [];
  out.push(
    `MIMIC-II numerics ${m.dir}: ${m.records.length} records, ${m.patientDays.toFixed(3)} patient-days. No labels: every alert is a false-alert candidate.`,
  );
  out.push(`Resampling: ${m.resampling}.`);
  out.push(
    table(
      m.records.map((r) => [
        r.patient,
        r.record,
        r.minutes.toFixed(0),
        pct(r.coverage.hr),
        pct(r.coverage.spo2),
        pct(r.coverage.rr),
        pct(r.coverage.sbp),
      ]),
      ['patient', 'record', 'minutes', 'HR', 'SpO2', 'RESP', 'NBP'],
    ),
  );
  out.push(
    table(
      m.ran.map((d) => [LABEL[d], m.alerts[d] ?? 0, num(m.alertsPerPatientDay[d])]),
      ['detector', 'alerts', 'alerts/pt-day'],
    ),
  );
  if (m.raised.length > 0) {
    out.push(`What ${LABEL.vigil} raised (measurement time from the record's start):`);
    out.push(
      table(
        m.raised.map((a) => [
          a.patient,
          new Date(a.ts_ms).toISOString().slice(0, 16).replace('T', ' '),
          a.kind,
          a.severity,
          a.reason,
        ]),
        ['patient', 'at', 'kind', 'severity', 'reason'],
      ),
    );
  }
  return out.join('\n');
}
