import type { Vital } from './vitals';

/** One scored window on Kafka `vitals.scores`, for dashboards and offline analysis. */
export interface WindowScore {
  readonly v: 1;
  readonly patientId: string;
  /** End of the window, epoch ms. */
  readonly at: number;
  readonly news2: number;
  /** Model anomaly score (reconstruction error / patient's usual), null when no model ran. */
  readonly model: number | null;
  readonly contributions: Partial<Record<Vital, number>> | null;
  /** Latest value per vital in the window (median of the recent seconds). */
  readonly latest: Partial<Record<Vital, number>>;
}
