import { z } from 'zod';
import { VITAL_SPECS, type Vital } from './vitals';

/**
 * Telemetry v1, as a device publishes it on `vigil/v1/devices/{deviceId}/telemetry`:
 * one sample, or `{"samples": [...]}`. Timestamps are epoch milliseconds or RFC 3339 strings.
 */
const vital = (name: Vital) => {
  const { min, max, unit } = VITAL_SPECS[name];
  return z
    .number({ error: `${name} must be a number` })
    .refine(Number.isFinite, `${name} must be finite`)
    .refine((v) => v >= min && v <= max, `${name} must be between ${min} and ${max} ${unit}`)
    .optional();
};

export const timestampSchema = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }),
]);

export const telemetrySampleSchema = z.strictObject({
  ts: timestampSchema,
  seq: z.number().int().nonnegative(),
  hr: vital('hr'),
  spo2: vital('spo2'),
  rr: vital('rr'),
  temp: vital('temp'),
  sbp: vital('sbp'),
  dbp: vital('dbp'),
  steps: vital('steps'),
});

export const MAX_BATCH_SAMPLES = 600;

export const telemetryBatchSchema = z.strictObject({
  samples: z.array(telemetrySampleSchema).min(1).max(MAX_BATCH_SAMPLES),
});

export const telemetryPayloadSchema = z.union([telemetryBatchSchema, telemetrySampleSchema]);

export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;
export type TelemetryPayload = z.infer<typeof telemetryPayloadSchema>;
