import { parseRecordingLabels, type RecordingLabelsJson } from '@vigil/contracts';
import {
  LABELS_FILE,
  type Recording,
  type RecordingMeta,
  type RecordingPatient,
  type SimulationLabels,
} from './recording';
import { RecordingFormatError } from './recording-format.error';

/** labels.json as the simulator writes it: the documented keys plus `meta`, `patients` and episode `vitals`. */
export function labelsToJson(labels: SimulationLabels): RecordingLabelsJson {
  return {
    meta: { ...labels.meta },
    patients: labels.patients.map((p) => ({
      patient: p.patientId,
      device: p.deviceId,
      subgroup: p.subgroup,
      bandEdge: p.bandEdge,
      profile: p.profile,
    })),
    episodes: labels.episodes.map((e) => ({
      patient: e.patientId,
      type: e.type,
      kind: e.category,
      start_ms: e.start,
      end_ms: e.end,
      vitals: [...e.vitals],
    })),
    confounders: labels.confounders.map((c) => ({
      patient: c.patientId,
      type: c.type,
      start_ms: c.start,
      end_ms: c.end,
    })),
  };
}

/** A patient as seen while streaming samples.csv. */
export type PatientSpan = Omit<RecordingPatient, 'subgroup' | 'bandEdge'>;

/**
 * The normalised view of a recording from parsed labels.json and what samples.csv held. Pure; throws
 * RecordingFormatError for labels that break the schema or name a patient without samples.
 */
export function recordingOf(labelsJson: unknown, seen: readonly PatientSpan[], samples: number): Recording {
  const parsed = parseRecordingLabels(labelsJson);
  if (!parsed.ok) throw new RecordingFormatError(LABELS_FILE, parsed.problems.join('; '));
  const json = parsed.labels;
  const known = new Set(seen.map((p) => p.patientId));
  const check = (where: string, patient: string) => {
    if (!known.has(patient))
      throw new RecordingFormatError(LABELS_FILE, `${where}.patient "${patient}" has no rows in samples.csv`);
  };
  json.episodes.forEach((e, i) => check(`episodes[${i}]`, e.patient));
  (json.confounders ?? []).forEach((c, i) => check(`confounders[${i}]`, c.patient));
  const facts = new Map((json.patients ?? []).map((p) => [p.patient, p]));
  const patients = seen.map((p): RecordingPatient => {
    const f = facts.get(p.patientId);
    return {
      ...p,
      ...(f?.subgroup !== undefined ? { subgroup: f.subgroup } : {}),
      ...(f?.bandEdge !== undefined ? { bandEdge: f.bandEdge } : {}),
    };
  });
  const meta = metaOf(json.meta);
  return {
    patients,
    episodes: json.episodes.map((e) => ({
      patientId: e.patient,
      type: e.type,
      category: e.kind,
      start: e.start_ms,
      end: e.end_ms,
      ...(e.vitals ? { vitals: e.vitals } : {}),
    })),
    confounders: (json.confounders ?? []).map((c) => ({
      patientId: c.patient,
      type: c.type,
      start: c.start_ms,
      end: c.end_ms,
    })),
    samples,
    ...(meta ? { meta } : {}),
  };
}

/** The simulator's meta when every field is a finite number; anything else is not ours and ignored. */
function metaOf(meta: Record<string, unknown> | undefined): RecordingMeta | undefined {
  if (!meta) return undefined;
  const keys = ['seed', 'startMs', 'durationMs', 'rateHz', 'patients'] as const;
  const num = (k: string) => (typeof meta[k] === 'number' && Number.isFinite(meta[k]) ? meta[k] : null);
  if (keys.some((k) => num(k) === null)) return undefined;
  return {
    seed: num('seed')!,
    startMs: num('startMs')!,
    durationMs: num('durationMs')!,
    rateHz: num('rateHz')!,
    patients: num('patients')!,
  };
}
