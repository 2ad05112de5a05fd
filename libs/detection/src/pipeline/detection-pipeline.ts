import type { AlertEvent, PatientLimits, VitalValues, WindowScore } from '@vigil/contracts';
import { FEATURES } from '../window/vitals-window';
import type { DetectionOptions } from './detection-options';
import { type DueWindow, type ModelOutput, type MonitorSnapshot, PatientMonitor } from './patient-monitor';
import type { WindowScorerLike } from './window-scorer';

export interface SampleLike extends VitalValues {
  readonly patientId: string;
  readonly ts: number;
}

export interface DetectionOutput {
  readonly scores: WindowScore[];
  readonly alerts: AlertEvent[];
  /** For each alert (same order): the index in the input of the sample that closed its window. */
  readonly alertSamples: number[];
}

/**
 * Samples in, window scores and alert events out, for many patients. Windows that fall due in one
 * call are scored by the model in one batch (the engine is much faster per window in batches).
 * Per-patient order is kept: a patient's samples must arrive in the order they should be applied.
 */
export class DetectionPipeline {
  private readonly monitors = new Map<string, PatientMonitor>();
  private readonly limits = new Map<string, PatientLimits>();

  constructor(
    private readonly options: DetectionOptions,
    private readonly scorer: WindowScorerLike | null = null,
    private readonly maxBatch = 1024,
  ) {}

  get patients(): number {
    return this.monitors.size;
  }

  async process(samples: readonly SampleLike[]): Promise<DetectionOutput> {
    const due: { monitor: PatientMonitor; window: DueWindow; sample: number }[] = [];
    samples.forEach((s, sample) => {
      const monitor = this.monitor(s.patientId);
      const window = monitor.push(s.ts, s);
      if (window) due.push({ monitor, window, sample });
    });
    const modelOutputs = await this.scoreModel(due.map((d) => d.window));
    const out: DetectionOutput = { scores: [], alerts: [], alertSamples: [] };
    due.forEach(({ monitor, window, sample }, i) => {
      const { score, alerts } = monitor.assess(window, modelOutputs[i]);
      out.scores.push(score);
      out.alerts.push(...alerts);
      for (let a = 0; a < alerts.length; a++) out.alertSamples.push(sample);
    });
    return out;
  }

  /** A care team's limits for a patient, in force from the next window. */
  setLimits(patientId: string, limits: PatientLimits): void {
    this.limits.set(patientId, limits);
    const m = this.monitors.get(patientId);
    if (m) m.limits = limits;
  }

  /** What to checkpoint: each monitored patient's learned normal. */
  snapshots(): [string, MonitorSnapshot][] {
    return [...this.monitors].map(([id, m]) => [id, m.snapshot()]);
  }

  /** Restores a patient's checkpoint; call before the patient's first sample after a restart. */
  restore(patientId: string, snapshot: MonitorSnapshot): void {
    this.monitor(patientId).restore(snapshot);
  }

  has(patientId: string): boolean {
    return this.monitors.has(patientId);
  }

  private monitor(patientId: string): PatientMonitor {
    let m = this.monitors.get(patientId);
    if (!m) {
      m = new PatientMonitor(patientId, this.options);
      m.limits = this.limits.get(patientId);
      this.monitors.set(patientId, m);
    }
    return m;
  }

  private async scoreModel(windows: readonly DueWindow[]): Promise<(ModelOutput | null)[]> {
    const outputs: (ModelOutput | null)[] = windows.map(() => null);
    if (!this.scorer || !this.options.model) return outputs;
    const ready = windows
      .map((w, i) => [w, i] as const)
      .filter(
        (e): e is readonly [DueWindow & { modelInput: Float32Array }, number] => e[0].modelInput !== null,
      );
    const size = this.options.windowLength * FEATURES;
    for (let start = 0; start < ready.length; start += this.maxBatch) {
      const chunk = ready.slice(start, start + this.maxBatch);
      const batch = new Float32Array(chunk.length * size);
      chunk.forEach(([w], j) => batch.set(w.modelInput, j * size));
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
