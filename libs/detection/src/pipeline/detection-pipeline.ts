import type { AlertEvent, VitalValues, WindowScore } from '@vigil/contracts';
import { FEATURES } from '../window/vitals-window';
import type { DetectionOptions } from './detection-options';
import { type DueWindow, type ModelOutput, PatientMonitor } from './patient-monitor';
import type { WindowScorerLike } from './window-scorer';

export interface SampleLike extends VitalValues {
  readonly patientId: string;
  readonly ts: number;
}

export interface DetectionOutput {
  readonly scores: WindowScore[];
  readonly alerts: AlertEvent[];
}

/**
 * Samples in, window scores and alert events out, for many patients. Windows that fall due in one
 * call are scored by the model in one batch (the engine is much faster per window in batches).
 * Per-patient order is kept: a patient's samples must arrive in the order they should be applied.
 */
export class DetectionPipeline {
  private readonly monitors = new Map<string, PatientMonitor>();

  constructor(
    private readonly options: DetectionOptions,
    private readonly scorer: WindowScorerLike | null = null,
    private readonly maxBatch = 1024,
  ) {}

  get patients(): number {
    return this.monitors.size;
  }

  async process(samples: readonly SampleLike[]): Promise<DetectionOutput> {
    const due: { monitor: PatientMonitor; window: DueWindow }[] = [];
    for (const s of samples) {
      const monitor = this.monitor(s.patientId);
      const window = monitor.push(s.ts, s);
      if (window) due.push({ monitor, window });
    }
    const modelOutputs = await this.scoreModel(due.map((d) => d.window));
    const out: DetectionOutput = { scores: [], alerts: [] };
    due.forEach(({ monitor, window }, i) => {
      const { score, alerts } = monitor.assess(window, modelOutputs[i]);
      out.scores.push(score);
      out.alerts.push(...alerts);
    });
    return out;
  }

  private monitor(patientId: string): PatientMonitor {
    let m = this.monitors.get(patientId);
    if (!m) this.monitors.set(patientId, (m = new PatientMonitor(patientId, this.options)));
    return m;
  }

  private async scoreModel(windows: readonly DueWindow[]): Promise<(ModelOutput | null)[]> {
    const outputs: (ModelOutput | null)[] = windows.map(() => null);
    if (!this.scorer || !this.options.model) return outputs;
    const ready = windows.map((w, i) => [w, i] as const).filter(([w]) => w.modelReady);
    const size = this.options.windowLength * FEATURES;
    for (let start = 0; start < ready.length; start += this.maxBatch) {
      const chunk = ready.slice(start, start + this.maxBatch);
      const batch = new Float32Array(chunk.length * size);
      chunk.forEach(([w], j) => batch.set(w.values, j * size));
      const { scores, contributions } = await this.scorer.score(batch, chunk.length);
      chunk.forEach(([, i], j) => {
        outputs[i] = {
          error: scores[j],
          contributions: contributions.subarray(j * FEATURES, (j + 1) * FEATURES),
        };
      });
    }
    return outputs;
  }
}
