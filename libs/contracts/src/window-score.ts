import { z } from 'zod';
import { type Vital, VITALS } from './vitals';

/** One scored window on Kafka `vitals.scores`, for dashboards and offline analysis. */
export interface WindowScore {
  readonly v: 1;
  readonly patientId: string;
  /** End of the window, epoch ms. */
  readonly at: number;
  /** NEWS2 aggregate of the current values (the patient's own SpO2 scale). */
  readonly news2: number;
  /** Model reconstruction error ÷ its calibrated alert level (≥ 1: abnormal), null when no model ran. */
  readonly model: number | null;
  readonly contributions: Partial<Record<Vital, number>> | null;
  /** Current value per vital: robust recent value, or a sparse vital's last reading while fresh. */
  readonly latest: Partial<Record<Vital, number>>;
  /** The patient's usual value per vital in the current context (rest/active, day/night). */
  readonly usual: Partial<Record<Vital, number>>;
  /** Largest deviation from usual over the vitals, in the patient's own spreads (a z-score). */
  readonly deviation: number;
  readonly context: { readonly activity: 'rest' | 'active' | 'recovery'; readonly night: boolean };
}

const perVital = z.partialRecord(z.enum(VITALS), z.number());

/** Runtime check of a `vitals.scores` record. */
export const windowScoreSchema = z.looseObject({
  v: z.literal(1),
  patientId: z.string().min(1),
  at: z.number().finite(),
  news2: z.number(),
  model: z.number().nullable(),
  contributions: perVital.nullable(),
  latest: perVital,
  usual: perVital,
  deviation: z.number(),
  context: z.object({ activity: z.enum(['rest', 'active', 'recovery']), night: z.boolean() }),
}) satisfies z.ZodType<WindowScore>;
