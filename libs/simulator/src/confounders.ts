/**
 * Stretches that look abnormal but are expected, labelled so an evaluation can count false alerts
 * during them: a walk or run and its recovery (until effort has decayed below 0.1), and motion
 * artefacts (1–3 samples of a spiking or dropping HR, or a falling SpO2).
 */
export const CONFOUNDER_TYPES = ['exercise', 'artefact'] as const;
export type ConfounderType = (typeof CONFOUNDER_TYPES)[number];

/** A labelled confounder as recorded in labels.json (epoch ms, end exclusive). */
export interface ConfounderLabel {
  readonly patientId: string;
  readonly type: ConfounderType;
  readonly start: number;
  readonly end: number;
}
