import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type PatientLimits, type VitalSample } from '@vigil/contracts';
import { DetectionPipeline, type DetectionOutput, detectionOptionsFrom } from '@vigil/detection';
import { CONFIG } from '@vigil/infra';
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
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
});

/** Patients' learned normals are checkpointed at most this often (measurement time per patient). */
const CHECKPOINT_EVERY_MS = 60_000;

/** Wires the pure detection pipeline to the app: settings in, checkpoints kept, metrics out. */
@Injectable()
export class ScoringService {
  private pipeline: DetectionPipeline | null = null;
  private lastCheckpoint = 0;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly model: ModelProvider,
    private readonly checkpoints: BaselineCheckpoints,
  ) {}

  async score(samples: readonly VitalSample[]): Promise<DetectionOutput> {
    await this.restoreNewPatients(samples);
    const out = await this.getPipeline().process(samples);
    await this.checkpoint();
    windowsScored.inc(out.scores.length);
    for (const a of out.alerts) alertEvents.inc({ kind: a.kind, state: a.state, severity: a.severity });
    const now = Date.now();
    for (const s of samples) lag.observe((now - s.receivedAt) / 1000);
    return out;
  }

  /** Re-reads samples already scored before a restart: rebuilds windows and alert state, emits nothing. */
  async warmUp(samples: readonly VitalSample[]): Promise<void> {
    await this.restoreNewPatients(samples);
    await this.getPipeline().process(samples);
  }

  /** A care team's limits for one patient, in force from its next window. */
  setLimits(patientId: string, limits: PatientLimits): void {
    this.getPipeline().setLimits(patientId, limits);
  }

  /** A patient this scorer has not seen since it started: restore its normal before its first sample. */
  private async restoreNewPatients(samples: readonly VitalSample[]): Promise<void> {
    const pipeline = this.getPipeline();
    const fresh = [...new Set(samples.map((s) => s.patientId))].filter((id) => !pipeline.has(id));
    for (const [id, snapshot] of await this.checkpoints.load(fresh)) pipeline.restore(id, snapshot);
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
}
