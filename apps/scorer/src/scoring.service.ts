import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type Settings } from '@vigil/config';
import {
  type AlertEvent,
  type PatientLimits,
  SEVERITIES,
  type Severity,
  TOPICS,
  type VitalSample,
} from '@vigil/contracts';
import { DetectionPipeline, type DetectionOutput, detectionOptionsFrom } from '@vigil/detection';
import { OnlineAlertAgreement } from '@vigil/evaluation';
import { CONFIG, KafkaConnection } from '@vigil/infra';
import { BaselineCheckpoints } from './baseline.checkpoints';
import { ModelProvider } from './model.provider';

const windowsScored = new Counter({ name: 'vigil_scorer_windows_total', help: 'Windows scored' });
const alertEvents = new Counter({
  name: 'vigil_scorer_alert_events_total',
  help: 'Alert events emitted',
  labelNames: ['kind', 'state', 'severity'],
});
const lag = new Histogram({
  name: 'vigil_scorer_ingest_to_score_seconds',
  help: 'From ingest accepting a sample to the scorer finishing its batch',
  buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
});

/** A shadow alert and a live one of the same patient this close in time are "the same alert". */
export const SHADOW_MATCH_TOLERANCE_MS = 5 * 60_000;

type ModelRole = 'live' | 'shadow';
/** What the model comparison metrics are computed from (one scorer process). */
const tally = {
  patientDays: 0,
  raised: { live: zeroes(), shadow: zeroes() } as Record<ModelRole, Record<Severity, number>>,
  agreement: new OnlineAlertAgreement(SHADOW_MATCH_TOLERANCE_MS),
  shadowOn: false,
};
function zeroes(): Record<Severity, number> {
  return { low: 0, medium: 0, high: 0 };
}
const monitored = new Counter({
  name: 'vigil_scorer_monitored_patient_days_total',
  help: 'Patient-days of measurement scored (windows × stride)',
});
const modelAlerts = new Counter({
  name: 'vigil_scorer_model_alerts_total',
  help: 'Clinical alerts raised by the live model and by the shadow model (whose go to alerts.shadow only)',
  labelNames: ['model', 'severity'],
});
new Gauge({
  name: 'vigil_scorer_model_alerts_per_patient_day',
  help: 'Clinical alerts raised per monitored patient-day, by model (live, shadow) and severity (all: in total)',
  labelNames: ['model', 'severity'],
  collect() {
    if (tally.patientDays === 0) return;
    for (const model of tally.shadowOn ? (['live', 'shadow'] as const) : (['live'] as const)) {
      const counts = tally.raised[model];
      for (const severity of SEVERITIES) this.set({ model, severity }, counts[severity] / tally.patientDays);
      const all = SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
      this.set({ model, severity: 'all' }, all / tally.patientDays);
    }
  },
});
new Gauge({
  name: 'vigil_scorer_shadow_agreement',
  help: 'Agreement of shadow and live alerts (same patient, raised within 5 min): 2·matched ÷ (live + shadow), settled alerts',
  collect() {
    const { agreement } = tally.agreement.result;
    if (tally.shadowOn && agreement !== null) this.set(agreement);
  },
});
new Gauge({
  name: 'vigil_scorer_shadow_compared_alerts',
  help: 'Settled alerts of the live and shadow models: matched pairs, live only, shadow only',
  labelNames: ['outcome'],
  collect() {
    if (!tally.shadowOn) return;
    const r = tally.agreement.result;
    this.set({ outcome: 'matched' }, r.matched);
    this.set({ outcome: 'live-only' }, r.onlyA);
    this.set({ outcome: 'shadow-only' }, r.onlyB);
  },
});
const shadowFailures = new Counter({
  name: 'vigil_scorer_shadow_failures_total',
  help: 'Batches the shadow model failed to score (the live model is unaffected)',
});

/** Patients' learned normals are checkpointed at most this often (measurement time per patient). */
const CHECKPOINT_EVERY_MS = 60_000;

/**
 * Wires the pure detection pipeline to the app: settings in, checkpoints kept, metrics out. With a
 * shadow model (VIGIL_SHADOW_MODEL_DIR), a second pipeline scores the same samples: its would-be
 * alerts are written to alerts.shadow before the batch counts as done, and never reach clinicians.
 */
@Injectable()
export class ScoringService {
  private readonly logger = new Logger(ScoringService.name);
  private pipeline: DetectionPipeline | null = null;
  private shadowPipeline: DetectionPipeline | null = null;
  private lastCheckpoint = 0;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly model: ModelProvider,
    private readonly checkpoints: BaselineCheckpoints,
    private readonly kafka: KafkaConnection,
  ) {}

  async score(samples: readonly VitalSample[]): Promise<DetectionOutput> {
    await this.restoreNewPatients(samples);
    const out = await this.getPipeline().process(samples);
    await this.checkpoint();
    windowsScored.inc(out.scores.length);
    for (const a of out.alerts) alertEvents.inc({ kind: a.kind, state: a.state, severity: a.severity });
    const now = Date.now();
    for (const s of samples) lag.observe((now - s.receivedAt) / 1000);
    const patientDays = (out.scores.length * this.config.strideSeconds) / 86_400;
    tally.patientDays += patientDays;
    monitored.inc(patientDays);
    const shadow = this.getShadowPipeline(); // before counting: the live alerts take part in the agreement
    this.countRaised('live', out.alerts);
    if (shadow) {
      const shadowAlerts = await this.scoreShadow(shadow, samples);
      this.countRaised('shadow', shadowAlerts);
      for (const s of out.scores) tally.agreement.advance(s.patientId, s.at);
      await this.kafka.send(
        TOPICS.shadowAlerts,
        shadowAlerts.map((a) => ({ key: a.patientId, value: a })),
      );
    }
    return out;
  }

  /** The shadow's alerts for these samples; a failing shadow is counted and logged, never fails the batch. */
  private async scoreShadow(
    shadow: DetectionPipeline,
    samples: readonly VitalSample[],
  ): Promise<AlertEvent[]> {
    try {
      return (await shadow.process(samples)).alerts;
    } catch (error) {
      shadowFailures.inc();
      this.logger.error(`shadow model failed on a batch of ${samples.length} samples: ${String(error)}`);
      return [];
    }
  }

  private countRaised(model: ModelRole, alerts: readonly AlertEvent[]): void {
    for (const a of alerts) {
      if (a.kind !== 'clinical' || a.state !== 'raised') continue;
      tally.raised[model][a.severity]++;
      modelAlerts.inc({ model, severity: a.severity });
      if (tally.shadowOn) tally.agreement.add(model === 'live' ? 'a' : 'b', a);
    }
  }

  /** Re-reads samples already scored before a restart: rebuilds windows and alert state, emits nothing. */
  async warmUp(samples: readonly VitalSample[]): Promise<void> {
    await this.restoreNewPatients(samples);
    await this.getPipeline().process(samples);
    const shadow = this.getShadowPipeline();
    if (shadow) await this.scoreShadow(shadow, samples);
  }

  /** A care team's limits for one patient, in force from its next window. */
  setLimits(patientId: string, limits: PatientLimits): void {
    this.getPipeline().setLimits(patientId, limits);
    this.getShadowPipeline()?.setLimits(patientId, limits);
  }

  /** A patient this scorer has not seen since it started: restore its normal before its first sample. */
  private async restoreNewPatients(samples: readonly VitalSample[]): Promise<void> {
    const pipeline = this.getPipeline();
    const shadow = this.getShadowPipeline();
    const fresh = [...new Set(samples.map((s) => s.patientId))].filter((id) => !pipeline.has(id));
    for (const [id, snapshot] of await this.checkpoints.load(fresh)) {
      pipeline.restore(id, snapshot);
      shadow?.restore(id, snapshot); // the learned normal is the patient's, whichever model reads it
    }
  }

  private async checkpoint(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastCheckpoint < CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint = now;
    await this.checkpoints.save(this.getPipeline().snapshots());
  }

  /** On a clean shutdown, after the last batch: nothing learned is lost. */
  flushCheckpoints(): Promise<void> {
    return this.pipeline ? this.checkpoint(true) : Promise.resolve();
  }

  private getPipeline(): DetectionPipeline {
    this.pipeline ??= new DetectionPipeline(
      detectionOptionsFrom(this.config, this.model.options),
      this.model.scorer,
    );
    return this.pipeline;
  }

  private getShadowPipeline(): DetectionPipeline | null {
    const shadow = this.model.shadow;
    if (!shadow) return null;
    tally.shadowOn = true;
    this.shadowPipeline ??= new DetectionPipeline(
      detectionOptionsFrom(this.config, shadow.options),
      shadow.scorer,
    );
    return this.shadowPipeline;
  }
}
