import { z } from 'zod';
import { type VitalValues, vitalValuesShape } from './vitals';

/** A validated sample on Kafka `vitals.samples`, keyed by patientId (so per-patient order holds). */
export interface VitalSample extends VitalValues {
  readonly v: 1;
  readonly patientId: string;
  readonly deviceId: string;
  /** Measurement time, epoch ms (device clock). */
  readonly ts: number;
  /** Device sequence number; (deviceId, seq) identifies a sample. */
  readonly seq: number;
  /** When ingest accepted it, epoch ms. */
  readonly receivedAt: number;
}

/** Runtime check of a `vitals.samples` record (the consumer edge validates every record with it). */
export const vitalSampleSchema = z.looseObject({
  v: z.literal(1),
  patientId: z.string().min(1),
  deviceId: z.string().min(1),
  ts: z.number().finite(),
  seq: z.number().int().nonnegative(),
  receivedAt: z.number().finite(),
  ...vitalValuesShape,
}) satisfies z.ZodType<VitalSample>;
