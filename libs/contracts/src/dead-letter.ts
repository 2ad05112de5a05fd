import { z } from 'zod';

/** Why ingest refused a payload. A closed set, so metrics and dashboards can count by reason. */
export const DEAD_LETTER_REASONS = [
  'malformed_json',
  'schema_violation',
  'implausible_value',
  'timestamp_out_of_range',
  'payload_too_large',
  'batch_too_large',
  'unknown_device',
  'device_unbound',
  'topic_invalid',
  'identity_mismatch',
  'duplicate',
  'rate_limited',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A refused payload on Kafka `vitals.deadletter`: enough to explain and to replay it. */
export interface DeadLetter {
  readonly v: 1;
  readonly reason: DeadLetterReason;
  /** For people: what was wrong, e.g. "spo2 must be between 40 and 100 %". */
  readonly message: string;
  readonly deviceId: string | null;
  readonly mqttTopic: string;
  /** The raw payload as UTF-8 (lossy for binary), truncated to `payloadTruncatedAt` characters. */
  readonly payload: string;
  readonly payloadBytes: number;
  readonly payloadTruncatedAt: number | null;
  readonly receivedAt: number;
}

/** Runtime check of a `vitals.deadletter` record. */
export const deadLetterSchema = z.looseObject({
  v: z.literal(1),
  reason: z.enum(DEAD_LETTER_REASONS),
  message: z.string(),
  deviceId: z.string().nullable(),
  mqttTopic: z.string(),
  payload: z.string(),
  payloadBytes: z.number().int().nonnegative(),
  payloadTruncatedAt: z.number().int().nullable(),
  receivedAt: z.number().finite(),
}) satisfies z.ZodType<DeadLetter>;
