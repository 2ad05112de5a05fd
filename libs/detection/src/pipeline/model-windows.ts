import type { DetectionOptions } from './detection-options';
import type { SampleLike } from './detection-pipeline';
import { PatientMonitor } from './patient-monitor';

/** One window exactly as the scorer would hand it to the model. */
export interface ModelWindow {
  readonly patientId: string;
  readonly at: number;
  /** T×F, VITALS order, NaN = missing: artefacts removed, faulty vitals masked, residual if so configured. */
  readonly input: Float32Array;
}

/**
 * The model's windows for a stream of samples, built by the detection pipeline's own monitors
 * (windowing, artefact filter, sensor checks, baselines and context), so that a model is trained and
 * calibrated on exactly what the scorer will feed it. Samples of each patient in time order.
 */
export function* modelWindowsOf(
  options: DetectionOptions & { readonly model: NonNullable<DetectionOptions['model']> },
  samples: Iterable<SampleLike>,
): Generator<ModelWindow> {
  const monitors = new Map<string, PatientMonitor>();
  for (const s of samples) {
    let m = monitors.get(s.patientId);
    if (!m) monitors.set(s.patientId, (m = new PatientMonitor(s.patientId, options)));
    const due = m.push(s.ts, s);
    if (due?.modelInput) yield { patientId: s.patientId, at: due.at, input: due.modelInput };
  }
}
