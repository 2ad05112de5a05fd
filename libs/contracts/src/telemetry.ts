import { z } from 'zod';
import { VITAL_SPECS, VITALS, type Vital } from './vitals';

/**
 * Telemetry v1, as a device publishes it on `vigil/v1/devices/{deviceId}/telemetry`:
 * one sample, or `{"samples": [...]}`. Timestamps are epoch milliseconds or RFC 3339 strings.
 *
 * This zod schema is the one definition: the validator in ingest runs it, and the JSON Schema
 * published at `libs/contracts/schemas/telemetry-v1.schema.json` is generated from it (a unit spec
 * keeps the two equal). Range checks carry their own messages so a refusal can say which vital was
 * physiologically impossible (`implausible_value`) rather than malformed (`schema_violation`).
 */
const vital = (name: Vital) => {
  const { min, max, unit, label } = VITAL_SPECS[name];
  const range = `${name} must be between ${min} and ${max} ${unit}`;
  return z
    .number({ error: `${name} must be a finite number` })
    .min(min, range)
    .max(max, range)
    .meta({ description: `${label}, ${unit}` })
    .optional();
};

export const timestampSchema = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })], {
    error: 'ts must be epoch milliseconds (integer) or an RFC 3339 date-time with offset',
  })
  .meta({ description: 'Measurement time: epoch milliseconds, or RFC 3339 with offset' });

export const telemetrySampleSchema = z.strictObject({
  ts: timestampSchema,
  seq: z
    .number({ error: 'seq must be a non-negative integer' })
    .int('seq must be a non-negative integer')
    .nonnegative('seq must be a non-negative integer')
    .max(Number.MAX_SAFE_INTEGER)
    .meta({
      description: 'Device sequence number; (device, seq) identifies a sample, a repeat is a duplicate',
    }),
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

/** Keys of a sample that carry a vital (the rest is `ts`, `seq`). */
export const isVitalKey = (key: PropertyKey): key is Vital =>
  (VITALS as readonly PropertyKey[]).includes(key);

/** The JSON Schema (draft 2020-12) of a telemetry v1 payload, generated from the zod schema above. */
export function telemetryJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(telemetryPayloadSchema, { target: 'draft-2020-12' }),
    $id: 'https://vigil.example/schemas/telemetry-v1.schema.json',
    title: 'Vigil telemetry v1',
    description:
      'One sample or {"samples": [...]} published by a device on vigil/v1/devices/{deviceId}/telemetry. ' +
      'Any vital may be missing. Timestamps too far from the clock are refused at ingest (not expressible here).',
  };
}
