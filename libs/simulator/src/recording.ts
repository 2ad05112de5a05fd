import { type Vital } from '@vigil/contracts';
import { type EpisodeLabel } from './episodes';
import { type PatientProfile, type Subgroup } from './patient-profile';

/**
 * A recording on disk is a folder:
 * - `samples.jsonl`: one sample a line, `{patientId, deviceId, ts, seq, hr?, spo2?, ...}`, in time order;
 * - `labels.json`: the ground truth, `{meta, patients, episodes}` (RecordingLabels).
 */
export const SAMPLES_FILE = 'samples.jsonl';
export const LABELS_FILE = 'labels.json';

export type RecordedSample = {
  readonly patientId: string;
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
} & { readonly [V in Vital]?: number };

export interface RecordingMeta {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly rateHz: number;
  readonly patients: number;
}

export interface RecordedPatient {
  readonly patientId: string;
  readonly deviceId: string;
  readonly subgroup: Subgroup;
  readonly profile: PatientProfile;
}

export interface RecordingLabels {
  readonly meta: RecordingMeta;
  readonly patients: readonly RecordedPatient[];
  readonly episodes: readonly EpisodeLabel[];
}
