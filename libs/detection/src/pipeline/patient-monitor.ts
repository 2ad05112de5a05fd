import {
  type AlertEvent,
  type Severity,
  VITALS,
  type Vital,
  type VitalValues,
  type WindowScore,
} from '@vigil/contracts';
import { describeValues, news2 } from '../rules/news2';
import { detectSensorFault } from '../rules/sensor-fault.rule';
import { AlertPolicy, type AlertTransition, type Observation } from '../policy/alert-policy';
import { PersonalBaseline } from '../policy/personal-baseline';
import { FEATURES, VitalsWindow } from '../window/vitals-window';
import type { DetectionOptions } from './detection-options';

/** A window ready to be scored: a copy of the patient's T×F values at one moment. */
export interface DueWindow {
  readonly patientId: string;
  readonly at: number;
  readonly values: Float32Array;
  /** Enough data for the model (at least half the window); NEWS2 runs regardless. */
  readonly modelReady: boolean;
}

export interface ModelOutput {
  readonly error: number;
  /** Per-feature share of the error, in VITALS order. */
  readonly contributions: ArrayLike<number>;
}

/**
 * One patient's detection state: window, NEWS2 and model alert policies, personal baseline.
 * Pure; the scorer app and `vigil evaluate` drive it the same way.
 */
export class PatientMonitor {
  private readonly window: VitalsWindow;
  private lastDueSlot = -Infinity;
  private readonly news2Policy: AlertPolicy;
  private readonly modelPolicy: AlertPolicy;
  private readonly technicalPolicy: AlertPolicy;
  private readonly baseline: PersonalBaseline | null;

  constructor(
    readonly patientId: string,
    private readonly options: DetectionOptions,
  ) {
    this.window = new VitalsWindow(options.windowLength, options.cadenceMs);
    this.news2Policy = new AlertPolicy(patientId, 'news2', options.policy);
    this.modelPolicy = new AlertPolicy(patientId, 'model', options.policy);
    this.technicalPolicy = new AlertPolicy(patientId, 'technical', options.policy);
    this.baseline = options.model ? new PersonalBaseline(options.model.typicalError) : null;
  }

  /** Adds a sample; returns a window when one is due (every stride of measurement time). */
  push(ts: number, values: VitalValues): DueWindow | null {
    if (!this.window.push(ts, values)) return null;
    const slot = this.window.newestSlot;
    if (slot - this.lastDueSlot < this.options.strideSlots || this.window.filled < this.options.strideSlots)
      return null;
    this.lastDueSlot = slot;
    const copy = new Float32Array(this.options.windowLength * FEATURES);
    this.window.copyTo(copy);
    return {
      patientId: this.patientId,
      at: this.window.endTs,
      values: copy,
      modelReady: this.window.filled >= this.options.windowLength / 2,
    };
  }

  /**
   * Scores a due window with NEWS2 (and the model's output when there is one) and steps the
   * policies. While the sensor looks faulty (off the wrist, stuck) only the technical alarm speaks:
   * the clinical detectors see "not abnormal" and the personal baseline learns nothing.
   */
  assess(due: DueWindow, model: ModelOutput | null): { score: WindowScore; alerts: AlertEvent[] } {
    const latest = this.latest(due);
    const clinical = news2(latest);
    const fault = detectSensorFault(due.values, this.options.windowLength);
    const alerts: AlertEvent[] = [];
    const technicalObs: Observation = {
      at: due.at,
      severity: fault ? 'low' : null,
      score: fault ? 1 : 0,
      vitals: fault?.vitals ?? [],
      reason: fault?.reason ?? '',
    };
    pushEvent(alerts, this.patientId, 'technical', this.technicalPolicy.step(technicalObs));

    const news2Obs: Observation = {
      at: due.at,
      severity: fault ? null : clinical.severity,
      score: clinical.total,
      vitals: clinical.drivers,
      reason: `${describeValues(clinical.drivers, latest)} (NEWS2 ${clinical.total})`,
    };
    pushEvent(alerts, this.patientId, 'news2', this.news2Policy.step(news2Obs));

    let ratio: number | null = null;
    let contributions: Partial<Record<Vital, number>> | null = null;
    if (model && this.baseline && this.options.model) {
      ratio = this.baseline.ratio(model.error);
      contributions = Object.fromEntries(VITALS.map((v, f) => [v, round(model.contributions[f])]));
      const top = VITALS.map((v, f) => [v, model.contributions[f]] as const)
        .filter(([, c]) => c > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([v]) => v);
      const severity: Severity | null =
        fault !== null
          ? null
          : ratio >= this.options.model.mediumRatio
            ? 'medium'
            : ratio >= this.options.model.alertRatio
              ? 'low'
              : null;
      const modelObs: Observation = {
        at: due.at,
        severity,
        score: round(ratio),
        vitals: top,
        reason: `Unusual for this patient: ${describeValues(top, latest) || top.join(', ')} (${ratio.toFixed(1)}× usual reconstruction error)`,
      };
      pushEvent(alerts, this.patientId, 'model', this.modelPolicy.step(modelObs));
      const abnormal = fault !== null || ratio >= this.options.model.alertRatio;
      if (!abnormal && !this.modelPolicy.isOpen) this.baseline.learn(model.error);
    }

    return {
      score: {
        v: 1,
        patientId: this.patientId,
        at: due.at,
        news2: clinical.total,
        model: ratio === null ? null : round(ratio),
        contributions,
        latest,
      },
      alerts,
    };
  }

  private latest(due: DueWindow): Partial<Record<Vital, number>> {
    const out: Partial<Record<Vital, number>> = {};
    const T = this.options.windowLength;
    const n = Math.min(this.options.news2Slots, T);
    for (let f = 0; f < FEATURES; f++) {
      const values: number[] = [];
      for (let t = T - n; t < T; t++) {
        const v = due.values[t * FEATURES + f];
        if (!Number.isNaN(v)) values.push(v);
      }
      if (values.length === 0) continue;
      values.sort((a, b) => a - b);
      const mid = values.length >> 1;
      out[VITALS[f]] = round(values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2);
    }
    return out;
  }
}

function pushEvent(
  out: AlertEvent[],
  patientId: string,
  source: AlertEvent['source'],
  t: AlertTransition | null,
): void {
  if (t) out.push({ v: 1, patientId, source, ...t });
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
