import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { type Settings } from '@vigil/config';
import { type VitalSample } from '@vigil/contracts';
import { DetectionPipeline, type DetectionOutput, detectionOptionsFrom } from '@vigil/detection';
import { CONFIG } from '@vigil/infra';
import { ModelProvider } from './model.provider';

const windowsScored = new Counter({ name: 'vigil_scorer_windows_total', help: 'Windows scored' });
const alertEvents = new Counter({
  name: 'vigil_scorer_alert_events_total',
  help: 'Alert events emitted',
  labelNames: ['kind', 'state'],
});
const lag = new Histogram({
  name: 'vigil_scorer_ingest_to_score_seconds',
  help: 'From ingest accepting a sample to the scorer finishing its batch',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
});

/** Wires the pure detection pipeline to the app: settings in, metrics out. */
@Injectable()
export class ScoringService {
  private pipeline: DetectionPipeline | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Settings,
    private readonly model: ModelProvider,
  ) {}

  async score(samples: readonly VitalSample[]): Promise<DetectionOutput> {
    const out = await this.getPipeline().process(samples);
    windowsScored.inc(out.scores.length);
    for (const a of out.alerts) alertEvents.inc({ kind: a.kind, state: a.state });
    const now = Date.now();
    for (const s of samples) lag.observe((now - s.receivedAt) / 1000);
    return out;
  }

  /** Re-reads samples already scored before a restart: rebuilds windows and alert state, emits nothing. */
  async warmUp(samples: readonly VitalSample[]): Promise<void> {
    await this.getPipeline().process(samples);
  }

  private getPipeline(): DetectionPipeline {
    this.pipeline ??= new DetectionPipeline(
      detectionOptionsFrom(this.config, this.model.options),
      this.model.scorer,
    );
    return this.pipeline;
  }
}
