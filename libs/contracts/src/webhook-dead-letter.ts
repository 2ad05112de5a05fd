import { z } from 'zod';

/**
 * A notification the hospital's webhook receiver did not take after every attempt, on Kafka
 * `alerts.webhook.deadletter` (keyed by patientId): the exact body that was POSTed, why the last
 * attempt failed, and how many were made. Re-send it (same body, same idempotency key) once the
 * receiver is back; receivers dedupe by the key.
 */
export interface WebhookDeadLetter {
  readonly v: 1;
  /** The idempotency key of the notification. */
  readonly id: string;
  readonly type: string;
  readonly alertId: string;
  readonly patientId: string;
  readonly url: string;
  readonly attempts: number;
  readonly lastError: string;
  /** When it was given up on, epoch ms. */
  readonly at: number;
  /** The JSON body as sent. */
  readonly body: string;
}

/** Runtime check of an `alerts.webhook.deadletter` record. */
export const webhookDeadLetterSchema = z.looseObject({
  v: z.literal(1),
  id: z.string(),
  type: z.string(),
  alertId: z.string(),
  patientId: z.string(),
  url: z.string(),
  attempts: z.number().int().positive(),
  lastError: z.string(),
  at: z.number().finite(),
  body: z.string(),
}) satisfies z.ZodType<WebhookDeadLetter>;
