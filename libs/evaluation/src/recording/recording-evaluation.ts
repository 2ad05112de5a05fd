import { type Vital } from '@vigil/contracts';
import { type DetectionOptions, type SampleLike, type WindowScorerLike } from '@vigil/detection';
import { DEFAULT_ZSCORE_OPTIONS } from '../baselines/zscore.baseline';
import { bootstrapEventIntervals, type EventIntervals } from '../bootstrap';
import {
  type Confounder,
  evaluateEvents,
  type EventReport,
  type LabelledEpisode,
  type MonitoredPatient,
} from '../event-metrics';
import {
  averagePrecision,
  precisionRecallCurve,
  type PrPoint,
  type ScorePoint,
  tailQuantileThresholds,
} from '../pr-curve';
import {
  type AlertRecord,
  DETECTORS,
  type DetectorName,
  EvaluationReplay,
} from '../replay/evaluation-replay';

/** The types a patient's deterioration can be acute in: each must be alerted on within a minute or so. */
export const ACUTE_TYPES = ['desaturation', 'tachycardia', 'bradycardia', 'tachypnoea'] as const;
/** Vitals measured only now and then (a cuff reading every 15–60 min). */
const SPARSE: ReadonlySet<Vital> = new Set<Vital>(['sbp', 'dbp']);

/** A labelled recording as the evaluation needs it (any source: the simulator's, a hospital's CSV). */
export interface LabelledRecording {
  readonly name: string;
  readonly patients: readonly MonitoredPatient[];
  readonly episodes: readonly (LabelledEpisode & { readonly vitals?: readonly Vital[] })[];
  readonly confounders: readonly Confounder[];
  /** Rows, for progress. */
  readonly samples: number;
  /** The simulator's seed, when it made the recording. */
  readonly seed?: number;
}

export interface RecordingEvaluationOptions {
  readonly detection: DetectionOptions;
  readonly scorer: WindowScorerLike | null;
  /** Why there is no model, when there is none. */
  readonly modelNote: string | null;
  readonly graceMs: number;
  readonly onProgress?: (samples: number, windows: number) => void;
}

export interface DetectorCurve {
  readonly score: string;
  readonly ap: number | null;
  readonly points: readonly PrPoint[];
}

export interface RecordingEvaluation {
  readonly recording: string;
  readonly seed: number | null;
  readonly patients: number;
  readonly patientDays: number;
  readonly graceMs: number;
  /** The scorer's settings the replay ran with. */
  readonly detection: DetectionOptions;
  readonly samples: number;
  readonly windows: number;
  readonly wallSeconds: number;
  readonly ran: readonly DetectorName[];
  readonly notRun: Readonly<Partial<Record<DetectorName, string>>>;
  readonly reports: Readonly<Partial<Record<DetectorName, EventReport>>>;
  /** The pipeline's sensor check: technical alarms against the labelled sensor faults. */
  readonly sensorCheck: {
    readonly alarms: number;
    readonly duringFaults: number;
    readonly faults: EventReport['technical'];
  };
  /** 95 % percentile-bootstrap intervals over patients (1,000 resamples, seeded). */
  readonly intervals: Readonly<Partial<Record<DetectorName, EventIntervals>>>;
  /** Event-level PR curve of each detector's raw window score (no alert policy), and its average precision. */
  readonly curves: Readonly<Partial<Record<DetectorName, DetectorCurve>>>;
}

/** Which raw score each detector alerts on, for its PR curve. */
const SCORE_OF: Record<DetectorName, { label: string; key: 'news2' | 'zscore' | 'model' | 'deviation' }> = {
  vigil: { label: 'largest deviation from the patient’s usual (z)', key: 'deviation' },
  news2: { label: 'NEWS2 aggregate', key: 'news2' },
  zscore: { label: 'max |z| over vitals', key: 'zscore' },
  'lstm-ae': { label: 'reconstruction error ÷ calibrated alert level', key: 'model' },
};

/**
 * Replays a labelled recording through the scorer's own pipeline and scores every detector against
 * the labels: recall, precision, false alerts per patient-day (apart during confounders), time to
 * detect (per type, acute types pooled; BP episodes from their first reading), per subgroup, with
 * bootstrap intervals and PR curves. Pure: samples come in, figures and the replay go out; the CLI
 * reads files and writes pictures.
 */
export async function evaluateLabelledRecording(
  recording: LabelledRecording,
  samples: AsyncIterable<SampleLike & { readonly deviceId?: string }>,
  options: RecordingEvaluationOptions,
): Promise<{ evaluation: RecordingEvaluation; replay: EvaluationReplay; alerts: AlertRecord[] }> {
  const { detection, scorer, graceMs } = options;
  const replay = new EvaluationReplay(detection, scorer, DEFAULT_ZSCORE_OPTIONS);
  const sparseWatch = new SparseReadings(recording.episodes);
  const t0 = performance.now();
  let batch: (SampleLike & { readonly deviceId?: string })[] = [];
  for await (const s of samples) {
    sparseWatch.see(s);
    batch.push(s);
    if (batch.length >= 4096) {
      await replay.push(batch);
      batch = [];
      options.onProgress?.(replay.samples, replay.windows);
    }
  }
  await replay.push(batch);
  options.onProgress?.(replay.samples, replay.windows);
  const wallSeconds = (performance.now() - t0) / 1000;

  const episodes = sparseWatch.withObservability();
  const ran: DetectorName[] = replay.hasModel ? [...DETECTORS] : DETECTORS.filter((d) => d !== 'lstm-ae');
  const notRun: Partial<Record<DetectorName, string>> = {};
  if (!replay.hasModel) notRun['lstm-ae'] = options.modelNote ?? 'no model';
  const match = { graceMs, acuteTypes: ACUTE_TYPES, confounders: recording.confounders };
  const reports: Partial<Record<DetectorName, EventReport>> = {};
  const intervals: Partial<Record<DetectorName, EventIntervals>> = {};
  for (const d of ran) {
    reports[d] = evaluateEvents(recording.patients, episodes, replay.alerts[d], match);
    intervals[d] = bootstrapEventIntervals(recording.patients, episodes, replay.alerts[d], match, {
      resamples: 1000,
      seed: 1,
      level: 0.95,
    });
  }
  const sensorReport = evaluateEvents(recording.patients, episodes, replay.technicalAlerts, match);

  const curves: Partial<Record<DetectorName, DetectorCurve>> = {};
  for (const d of ran) {
    const s = SCORE_OF[d];
    const points: ScorePoint[] = [];
    for (const [patientId, t] of replay.traces) {
      const scores = t[s.key];
      for (let i = 0; i < t.at.length; i++) points.push({ patientId, at: t.at[i], score: scores[i] });
    }
    const thresholds = tailQuantileThresholds(
      points.map((p) => p.score),
      30,
    ).filter((th) => th > 0);
    const curve = precisionRecallCurve(points, recording.patients, episodes, thresholds, {
      graceMs,
      cooldownMs: detection.policy.cooldownMs,
    });
    curves[d] = { score: s.label, ap: averagePrecision(curve), points: curve };
  }

  const evaluation: RecordingEvaluation = {
    recording: recording.name,
    seed: recording.seed ?? null,
    patients: recording.patients.length,
    patientDays: recording.patients.reduce((sum, p) => sum + p.monitoredMs, 0) / 86_400_000,
    graceMs,
    detection,
    samples: replay.samples,
    windows: replay.windows,
    wallSeconds,
    ran,
    notRun,
    reports,
    sensorCheck: {
      alarms: replay.technicalAlerts.length,
      duringFaults: sensorReport.technicalAlerts,
      faults: sensorReport.technical,
    },
    intervals,
    curves,
  };
  return { evaluation, replay, alerts: replay.alertRecords() };
}

/**
 * When each episode defined by sparse vitals only (hypotension: SBP, DBP) first became observable:
 * the first cuff reading inside it. An episode without one is unobservable (marked after its end).
 */
class SparseReadings {
  private readonly firstReading = new Map<number, number>();
  private readonly byPatient = new Map<string, number[]>();

  constructor(private readonly episodes: LabelledRecording['episodes']) {
    episodes.forEach((e, i) => {
      if (e.category !== 'clinical' || !e.vitals?.length || !e.vitals.every((v) => SPARSE.has(v))) return;
      const list = this.byPatient.get(e.patientId) ?? [];
      list.push(i);
      this.byPatient.set(e.patientId, list);
    });
  }

  see(s: SampleLike): void {
    const watched = this.byPatient.get(s.patientId);
    if (!watched || (s.sbp === undefined && s.dbp === undefined)) return;
    for (const i of watched) {
      const e = this.episodes[i];
      if (s.ts >= e.start && s.ts <= e.end && !this.firstReading.has(i)) this.firstReading.set(i, s.ts);
    }
  }

  withObservability(): LabelledEpisode[] {
    return this.episodes.map((e, i) => {
      const watched = this.byPatient.get(e.patientId)?.includes(i);
      if (!watched) return e;
      return { ...e, observableFrom: this.firstReading.get(i) ?? e.end + 1 };
    });
  }
}
