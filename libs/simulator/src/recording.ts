import { VITALS, type Vital } from '@vigil/contracts';
import { type EpisodeCategory, type EpisodeLabel } from './episodes';
import { type ConfounderLabel } from './confounders';
import { type BandEdge, type PatientProfile, type Subgroup } from './patient-profile';

/**
 * A recording on disk is a folder (docs/recording-format.md), the same whether the simulator wrote
 * it or a hospital exported it:
 * - `samples.csv`: header `patient,device,ts_ms,seq,hr,spo2,rr,temp,sbp,dbp,steps`, one sample a row,
 *   an empty cell where a vital was not measured;
 * - `labels.json`: `{episodes: [{patient, type, kind, start_ms, end_ms}], confounders?: [...]}`; other
 *   keys are ignored (the simulator adds `meta`, `patients`, per-episode `vitals`).
 */
export const SAMPLES_FILE = 'samples.csv';
export const LABELS_FILE = 'labels.json';
export const SAMPLE_COLUMNS = ['patient', 'device', 'ts_ms', 'seq', ...VITALS] as const;
export type SampleColumn = (typeof SAMPLE_COLUMNS)[number];
export const SAMPLES_HEADER = SAMPLE_COLUMNS.join(',');

/** One row of samples.csv, as the reader yields it; a vital not measured is absent. */
export type RecordedSample = {
  readonly patientId: string;
  readonly deviceId: string;
  /** Measurement time, epoch ms. */
  readonly ts: number;
  readonly seq: number;
} & { readonly [V in Vital]?: number };

/** How the simulator made a recording (labels.json `meta`; absent in a hospital's recording). */
export interface RecordingMeta {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly rateHz: number;
  readonly patients: number;
}

// ---- The normalised in-memory view the reader returns (any recording) ----

export interface RecordingPatient {
  readonly patientId: string;
  /** The device of the patient's first row. */
  readonly deviceId: string;
  /** First and last measurement time seen in samples.csv, epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Rows of this patient in samples.csv. */
  readonly samples: number;
  /** From labels.json `patients[]` when given (the simulator: age band 18-39 / 40-64 / 65+). */
  readonly subgroup?: string;
  /** From labels.json `patients[]` when given: a usual vital at a NEWS2 band edge, or null. */
  readonly bandEdge?: string | null;
}

export interface RecordingEpisode {
  readonly patientId: string;
  readonly type: string;
  readonly category: EpisodeCategory;
  /** Epoch ms, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** The vitals that depart from normal, when labelled. */
  readonly vitals?: readonly Vital[];
}

export interface RecordingConfounder {
  readonly patientId: string;
  /** The simulator writes 'exercise' (a bout and its recovery) and 'artefact' (a motion spike). */
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

export interface Recording {
  /** Every patient with at least one row in samples.csv, in order of first appearance. */
  readonly patients: readonly RecordingPatient[];
  readonly episodes: readonly RecordingEpisode[];
  readonly confounders: readonly RecordingConfounder[];
  /** Rows in samples.csv. */
  readonly samples: number;
  readonly meta?: RecordingMeta;
}

/**
 * The time span and sample rate of a recording: the simulator's `meta` when present, else from the
 * first to the last sample of any patient, at 1 Hz.
 */
export function recordingSpan(r: Recording): { startMs: number; durationMs: number; rateHz: number } {
  if (r.meta) return { startMs: r.meta.startMs, durationMs: r.meta.durationMs, rateHz: r.meta.rateHz };
  if (r.patients.length === 0) return { startMs: 0, durationMs: 0, rateHz: 1 };
  const startMs = Math.min(...r.patients.map((p) => p.startMs));
  const endMs = Math.max(...r.patients.map((p) => p.endMs));
  return { startMs, durationMs: endMs - startMs + 1000, rateHz: 1 };
}

/** How long a patient was monitored: the simulator's duration, else first to last sample (+1 s). */
export function monitoredMs(r: Recording, p: RecordingPatient): number {
  return r.meta ? r.meta.durationMs : p.endMs - p.startMs + 1000;
}

// ---- What the simulator writes (labels.json with its extra keys) ----

export interface SimulatedPatientLabel {
  readonly patientId: string;
  readonly deviceId: string;
  readonly subgroup: Subgroup;
  readonly bandEdge: BandEdge | null;
  readonly profile: PatientProfile;
}

export interface SimulationLabels {
  readonly meta: RecordingMeta;
  readonly patients: readonly SimulatedPatientLabel[];
  readonly episodes: readonly EpisodeLabel[];
  readonly confounders: readonly ConfounderLabel[];
}
