import { type AlertEvent, VITALS, type Vital } from '@vigil/contracts';
import {
  AlertPolicy,
  DetectionPipeline,
  type DetectionOptions,
  type SampleLike,
  type WindowScorerLike,
} from '@vigil/detection';
import { ZScoreBaseline, type ZScoreOptions } from '../baselines/zscore.baseline';
import { type EvaluatedAlert } from '../event-metrics';

/**
 * The detectors `vigil evaluate` compares. `news2` and `lstm-ae` are the scorer's own two alert
 * sources (same windows, NEWS2 rules, model, personal baseline and alert policy, via
 * DetectionPipeline); `vigil` is what a care team actually gets — both sources together;
 * `zscore` is the per-patient z-score baseline stepped through the same alert policy.
 */
export const DETECTORS = ['news2', 'zscore', 'lstm-ae', 'vigil'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Per patient, one entry per scored window. */
export interface PatientTrace {
  readonly at: number[];
  readonly news2: number[];
  /** Reconstruction error ÷ patient's usual, null before the model is ready or without a model. */
  readonly model: (number | null)[];
  readonly zscore: (number | null)[];
  /** The window's recent value per vital (what NEWS2 and the z-score judge), NaN when missing. */
  readonly latest: Record<Vital, number[]>;
  readonly contributions: Record<Vital, number[]>;
}

export class EvaluationReplay {
  private readonly pipeline: DetectionPipeline;
  private readonly zscores = new Map<string, { baseline: ZScoreBaseline; policy: AlertPolicy }>();
  /** Sensor-check (technical) alarms raised: kept out of every clinical detector's figures. */
  readonly technicalAlerts: EvaluatedAlert[] = [];
  readonly alerts: Record<DetectorName, EvaluatedAlert[]> = {
    news2: [],
    zscore: [],
    'lstm-ae': [],
    vigil: [],
  };
  readonly traces = new Map<string, PatientTrace>();
  windows = 0;
  samples = 0;

  constructor(
    private readonly options: DetectionOptions,
    scorer: WindowScorerLike | null,
    private readonly zscore: ZScoreOptions,
    /** Keep per-window traces (for PR curves and pictures); off saves memory on long runs. */
    private readonly keepTraces = true,
  ) {
    this.pipeline = new DetectionPipeline(options, scorer);
  }

  get hasModel(): boolean {
    return this.options.model !== undefined;
  }

  async push(samples: readonly SampleLike[]): Promise<void> {
    this.samples += samples.length;
    const { scores, alerts } = await this.pipeline.process(samples);
    for (const a of alerts) this.record(a);
    for (const s of scores) {
      this.windows++;
      const z = this.zscoreOf(s.patientId);
      const r = z.baseline.assess(s.latest);
      const t = z.policy.step({
        at: s.at,
        severity: r.severity,
        score: r.z ?? 0,
        vitals: r.vitals,
        reason: `z ${r.z?.toFixed(1) ?? '-'}`,
      });
      if (t?.state === 'raised') this.alerts.zscore.push({ patientId: s.patientId, at: t.at });
      if (!this.keepTraces) continue;
      const trace = this.traceOf(s.patientId);
      trace.at.push(s.at);
      trace.news2.push(s.news2);
      trace.model.push(s.model);
      trace.zscore.push(r.z);
      for (const v of VITALS) {
        trace.latest[v].push(s.latest[v] ?? NaN);
        trace.contributions[v].push(s.contributions?.[v] ?? NaN);
      }
    }
  }

  /** An alert counts once, when raised, at the time it was raised (what the clinician experiences). */
  private record(a: AlertEvent): void {
    if (a.state !== 'raised') return;
    // Technical alarms (sensor checks) are not clinical detections; they are counted apart.
    if (a.source === 'technical') {
      this.technicalAlerts.push({ patientId: a.patientId, at: a.at });
      return;
    }
    const alert = { patientId: a.patientId, at: a.at };
    this.alerts[a.source === 'news2' ? 'news2' : 'lstm-ae'].push(alert);
    this.alerts.vigil.push(alert);
  }

  private zscoreOf(patientId: string) {
    let z = this.zscores.get(patientId);
    if (!z) {
      z = {
        baseline: new ZScoreBaseline(this.zscore),
        policy: new AlertPolicy(patientId, 'model', this.options.policy),
      };
      this.zscores.set(patientId, z);
    }
    return z;
  }

  private traceOf(patientId: string): PatientTrace {
    let t = this.traces.get(patientId);
    if (!t) {
      const perVital = () =>
        Object.fromEntries(VITALS.map((v) => [v, [] as number[]])) as Record<Vital, number[]>;
      t = { at: [], news2: [], model: [], zscore: [], latest: perVital(), contributions: perVital() };
      this.traces.set(patientId, t);
    }
    return t;
  }
}
