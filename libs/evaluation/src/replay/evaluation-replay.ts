import { type AlertEvent, type Severity, VITALS, type Vital, type WindowScore } from '@vigil/contracts';
import {
  AlertPolicy,
  DetectionPipeline,
  type DetectionOptions,
  type SampleLike,
  type WindowScorerLike,
  news2,
} from '@vigil/detection';
import { ZScoreBaseline, type ZScoreOptions } from '../baselines/zscore.baseline';
import { type EvaluatedAlert } from '../event-metrics';

/**
 * The detectors `vigil evaluate` compares, all on the scorer's own windows (DetectionPipeline):
 * - `vigil`: what a care team gets — one clinical alert per patient condition from the combined
 *   evidence (limits, personal baselines, NEWS2, the model);
 * - `news2`: NEWS2 alone, as a ward chart would alarm (aggregate ≥ 5 or a single 3);
 * - `lstm-ae`: the learned model alone, at its calibrated alert level;
 * - `zscore`: a plain per-patient z-score, the simplest personal baseline.
 * The single detectors go through the same alert policy (k of n, clear, cooldown) as `vigil`.
 */
export const DETECTORS = ['vigil', 'news2', 'lstm-ae', 'zscore'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Per patient, one entry per scored window. */
export interface PatientTrace {
  readonly at: number[];
  readonly news2: number[];
  /** Reconstruction error ÷ the model's alert level, null before the model is ready or without a model. */
  readonly model: (number | null)[];
  readonly zscore: (number | null)[];
  /** Largest deviation from the patient's usual, in their own spreads. */
  readonly deviation: number[];
  /** The window's current value per vital, NaN when missing; and the patient's usual. */
  readonly latest: Record<Vital, number[]>;
  readonly usual: Record<Vital, number[]>;
  readonly contributions: Record<Vital, number[]>;
}

export interface AlertRecord {
  readonly patient: string;
  readonly device: string | null;
  readonly ts_ms: number;
  readonly kind: AlertEvent['kind'];
  readonly severity: Severity;
  readonly evidence: AlertEvent['evidence'];
  readonly reason: string;
}

interface SingleDetector {
  readonly policy: AlertPolicy;
  readonly severity: (s: WindowScore) => Severity | null;
}

export class EvaluationReplay {
  private readonly pipeline: DetectionPipeline;
  private readonly singles = new Map<string, Record<'news2' | 'lstm-ae' | 'zscore', SingleDetector>>();
  private readonly zscores = new Map<string, ZScoreBaseline>();
  /** Every event the fused detector produced (raised, escalated, updated, resolved), in order. */
  readonly events: AlertEvent[] = [];
  /** Sensor-check (technical) alarms raised: kept out of every clinical detector's figures. */
  readonly technicalAlerts: EvaluatedAlert[] = [];
  readonly alerts: Record<DetectorName, EvaluatedAlert[]> = {
    vigil: [],
    news2: [],
    'lstm-ae': [],
    zscore: [],
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

  /** The device each patient's samples came from (for alert records). */
  readonly devices = new Map<string, string>();

  async push(samples: readonly (SampleLike & { readonly deviceId?: string })[]): Promise<void> {
    this.samples += samples.length;
    for (const s of samples) if (s.deviceId !== undefined) this.devices.set(s.patientId, s.deviceId);
    const { scores, alerts } = await this.pipeline.process(samples);
    for (const a of alerts) this.record(a);
    for (const s of scores) {
      this.windows++;
      const singles = this.singlesOf(s.patientId);
      const z = this.zscoreOf(s.patientId).assess(s.latest);
      for (const [name, d] of Object.entries(singles) as [keyof typeof singles, SingleDetector][]) {
        const severity = name === 'zscore' ? z.severity : d.severity(s);
        const t = d.policy.step({ at: s.at, severity, vitals: [], reason: '', evidence: [] });
        if (t?.state === 'raised') this.alerts[name].push({ patientId: s.patientId, at: t.at });
      }
      if (this.keepTraces) this.trace(s, z.z);
    }
  }

  /**
   * A clinical alert counts once, when raised, at the time it was raised (what the clinician
   * experiences); its re-announcements (escalated, updated) can detect a later episode.
   */
  private record(a: AlertEvent): void {
    this.events.push(a);
    if (a.kind === 'clinical' && (a.state === 'escalated' || a.state === 'updated'))
      this.alerts.vigil.push({ patientId: a.patientId, at: a.at, reannounced: true });
    if (a.state !== 'raised') return;
    if (a.kind === 'technical') this.technicalAlerts.push({ patientId: a.patientId, at: a.at });
    else this.alerts.vigil.push({ patientId: a.patientId, at: a.at });
  }

  /**
   * Every raised alert as one record (a JSONL line of `--alerts-out`): who, when, what kind, how
   * severe, the evidence behind it and the text a nurse reads.
   */
  alertRecords(): AlertRecord[] {
    return this.events
      .filter((e) => e.state === 'raised')
      .map((e) => ({
        patient: e.patientId,
        device: this.devices.get(e.patientId) ?? null,
        ts_ms: e.at,
        kind: e.kind,
        severity: e.severity,
        evidence: e.evidence,
        reason: e.reason,
      }));
  }

  private singlesOf(patientId: string) {
    let d = this.singles.get(patientId);
    if (!d) {
      const policy = () => new AlertPolicy(patientId, 'clinical', this.options.policy);
      d = {
        news2: { policy: policy(), severity: (s) => news2(s.latest).severity },
        'lstm-ae': { policy: policy(), severity: (s) => (s.model !== null && s.model >= 1 ? 'low' : null) },
        zscore: { policy: policy(), severity: () => null },
      };
      this.singles.set(patientId, d);
    }
    return d;
  }

  private zscoreOf(patientId: string): ZScoreBaseline {
    let z = this.zscores.get(patientId);
    if (!z) this.zscores.set(patientId, (z = new ZScoreBaseline(this.zscore)));
    return z;
  }

  private trace(s: WindowScore, z: number | null): void {
    let t = this.traces.get(s.patientId);
    if (!t) {
      const perVital = () =>
        Object.fromEntries(VITALS.map((v) => [v, [] as number[]])) as Record<Vital, number[]>;
      t = {
        at: [],
        news2: [],
        model: [],
        zscore: [],
        deviation: [],
        latest: perVital(),
        usual: perVital(),
        contributions: perVital(),
      };
      this.traces.set(s.patientId, t);
    }
    t.at.push(s.at);
    t.news2.push(s.news2);
    t.model.push(s.model);
    t.zscore.push(z);
    t.deviation.push(s.deviation);
    for (const v of VITALS) {
      t.latest[v].push(s.latest[v] ?? NaN);
      t.usual[v].push(s.usual[v] ?? NaN);
      t.contributions[v].push(s.contributions?.[v] ?? NaN);
    }
  }
}
