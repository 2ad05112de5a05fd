import type { VitalValues } from './vitals';

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
