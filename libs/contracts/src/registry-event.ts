import { z } from 'zod';

/**
 * The device registry's record of changes, on Kafka `registry.changes` (one partition, so replaying
 * it from the start rebuilds the registry in Redis exactly). Keyed by the device or patient id.
 */
export type RegistryEvent =
  | {
      readonly type: 'device.registered';
      readonly deviceId: string;
      /** Mosquitto PBKDF2-SHA512 hash of the device's MQTT password (never the password). */
      readonly passwordHash: string;
      readonly model: string | null;
      readonly at: number;
    }
  | {
      readonly type: 'device.credentials-rotated';
      readonly deviceId: string;
      readonly passwordHash: string;
      readonly at: number;
    }
  | { readonly type: 'device.revoked'; readonly deviceId: string; readonly at: number }
  | {
      readonly type: 'device.bound';
      readonly deviceId: string;
      readonly patientId: string;
      readonly at: number;
    }
  | { readonly type: 'device.unbound'; readonly deviceId: string; readonly at: number }
  | {
      readonly type: 'patient.care-teams';
      readonly patientId: string;
      readonly careTeams: readonly string[];
      readonly at: number;
    };

export type RegistryEventType = RegistryEvent['type'];

/** Ids the registry accepts: the same characters an MQTT topic level may carry in Vigil. */
export const REGISTRY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const id = z.string().regex(REGISTRY_ID_PATTERN);

/** Runtime check of a `registry.changes` record. */
export const registryEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('device.registered'),
    deviceId: id,
    passwordHash: z.string().min(1),
    model: z.string().nullable(),
    at: z.number().finite(),
  }),
  z.looseObject({
    type: z.literal('device.credentials-rotated'),
    deviceId: id,
    passwordHash: z.string().min(1),
    at: z.number().finite(),
  }),
  z.looseObject({ type: z.literal('device.revoked'), deviceId: id, at: z.number().finite() }),
  z.looseObject({ type: z.literal('device.bound'), deviceId: id, patientId: id, at: z.number().finite() }),
  z.looseObject({ type: z.literal('device.unbound'), deviceId: id, at: z.number().finite() }),
  z.looseObject({
    type: z.literal('patient.care-teams'),
    patientId: id,
    careTeams: z.array(z.string()),
    at: z.number().finite(),
  }),
]) satisfies z.ZodType<RegistryEvent>;
