import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type DetectionOptions, type SampleLike, type WindowScorerLike } from '@vigil/detection';
import {
  DEFAULT_ZSCORE_OPTIONS,
  EvaluationReplay,
  numericsToSamples,
  numericsVitals,
  parseWfdbHeader,
  readFormat16,
  type AlertRecord,
  type DetectorName,
} from '@vigil/evaluation';

export interface MimicRecord {
  readonly patient: string;
  readonly record: string;
  readonly minutes: number;
  /** Share of minutes with each vital present. */
  readonly coverage: Readonly<Record<'hr' | 'spo2' | 'rr' | 'sbp', number>>;
}

export interface MimicEvaluation {
  readonly dir: string;
  readonly records: readonly MimicRecord[];
  readonly patientDays: number;
  readonly resampling: string;
  /** No labels: every alert counts as a false-alert candidate. */
  readonly alerts: Readonly<Partial<Record<DetectorName, number>>>;
  readonly alertsPerPatientDay: Readonly<Partial<Record<DetectorName, number>>>;
  readonly ran: readonly DetectorName[];
  /** What the fused detector raised, with its reasons (no labels: each needs a look). */
  readonly raised: readonly AlertRecord[];
}

/** Replays each patient's numerics records (in time order) through the same detectors. */
export async function evaluateMimic(
  dir: string,
  options: DetectionOptions,
  scorer: WindowScorerLike | null,
  resample: 'hold' | 'linear',
): Promise<MimicEvaluation> {
  const records: MimicRecord[] = [];
  const alerts: Partial<Record<DetectorName, number>> = {};
  let monitoredMs = 0;
  let ran: DetectorName[] = [];
  const raised: AlertRecord[] = [];
  const patients = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const patient of patients) {
    const folder = join(dir, patient);
    const headers = (await readdir(folder)).filter((f) => f.endsWith('.hea'));
    const parsed = await Promise.all(
      headers.map(async (h) => {
        const header = parseWfdbHeader(await readFile(join(folder, h), 'utf8'));
        const files = new Map<string, Uint8Array>();
        for (const s of header.signals)
          if (!files.has(s.file)) files.set(s.file, new Uint8Array(await readFile(join(folder, s.file))));
        return { header, signals: readFormat16(header, files) };
      }),
    );
    parsed.sort((a, b) => (a.header.startMs ?? 0) - (b.header.startMs ?? 0));
    // One replay per patient: the personal baselines carry over between that patient's records.
    const replay = new EvaluationReplay(options, scorer, DEFAULT_ZSCORE_OPTIONS, false);
    for (const { header, signals } of parsed) {
      const rows = numericsVitals(header, signals);
      const share = (v: 'hr' | 'spo2' | 'rr' | 'sbp') =>
        rows.length ? rows.filter((r) => r[v] !== undefined).length / rows.length : 0;
      records.push({
        patient,
        record: basename(header.record),
        minutes: rows.length / (header.frequency * 60),
        coverage: { hr: share('hr'), spo2: share('spo2'), rr: share('rr'), sbp: share('sbp') },
      });
      monitoredMs += (rows.length / header.frequency) * 1000;
      let batch: SampleLike[] = [];
      for (const s of numericsToSamples(header, rows, {
        patientId: `mimic-${patient}`,
        deviceId: `mimic-${patient}`,
        cadenceMs: options.cadenceMs,
        resample,
      })) {
        batch.push(s);
        if (batch.length >= 4096) {
          await replay.push(batch);
          batch = [];
        }
      }
      await replay.push(batch);
    }
    ran = replay.hasModel ? ['vigil', 'news2', 'lstm-ae', 'zscore'] : ['vigil', 'news2', 'zscore'];
    raised.push(...replay.alertRecords());
    for (const d of ran) alerts[d] = (alerts[d] ?? 0) + replay.alerts[d].filter((a) => !a.reannounced).length;
  }
  const patientDays = monitoredMs / 86_400_000;
  const alertsPerPatientDay = Object.fromEntries(
    Object.entries(alerts).map(([d, n]) => [d, n / patientDays]),
  );
  return {
    dir,
    records,
    patientDays,
    resampling:
      (resample === 'hold'
        ? 'sample-and-hold: each 1/60 Hz HR/SpO2/RESP value repeated at 1 Hz for its own minute'
        : 'linear: HR/SpO2/RESP stepped linearly at 1 Hz between measured minutes (held where the next minute is missing)') +
      '; NBP (a spot reading) given once, on its minute’s first second; values outside Vigil’s physiological ranges (MIMIC’s 0 = not measured) are missing; no temperature or steps',
    alerts,
    alertsPerPatientDay,
    ran,
    raised,
  };
}
