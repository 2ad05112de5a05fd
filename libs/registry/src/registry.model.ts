import { REGISTRY_ID_PATTERN, type RegistryEvent } from '@vigil/contracts';

/** A device as the registry knows it. `patientId` null: registered but not bound (its samples are refused). */
export interface DeviceRecord {
  readonly deviceId: string;
  readonly passwordHash: string;
  readonly model: string | null;
  readonly registeredAt: number;
  readonly revoked: boolean;
  readonly patientId: string | null;
  readonly boundAt: number | null;
}

export interface PatientRecord {
  readonly patientId: string;
  readonly careTeams: readonly string[];
  /** How screens name the patient (optional display fields, set by admins). */
  readonly displayName?: string | null;
  readonly bed?: string | null;
}

/** Optional display fields of a patient: omitted ones are left out of the event. */
export interface PatientDisplay {
  readonly displayName?: string | null;
  readonly bed?: string | null;
}

/** What ingest needs to accept a device's samples. */
export type DeviceBinding =
  | { readonly status: 'bound'; readonly patientId: string }
  | { readonly status: 'unbound' }
  | { readonly status: 'unknown' };

export function bindingOf(device: DeviceRecord | null): DeviceBinding {
  if (device === null || device.revoked) return { status: 'unknown' };
  return device.patientId === null ? { status: 'unbound' } : { status: 'bound', patientId: device.patientId };
}

/** A refused registry command: a value the REST API turns into 400/404/409. */
export interface RegistryRefusal {
  readonly code: 'invalid_id' | 'unknown_device' | 'already_registered' | 'revoked';
  readonly message: string;
}
export type Decision =
  | { readonly ok: true; readonly event: RegistryEvent }
  | { readonly ok: false; readonly refusal: RegistryRefusal };

const invalid = (what: string, id: string): Decision => ({
  ok: false,
  refusal: { code: 'invalid_id', message: `${what} "${id}" must be 1-64 letters, digits, . _ -` },
});
const unknown = (deviceId: string): Decision => ({
  ok: false,
  refusal: { code: 'unknown_device', message: `device ${deviceId} is not registered` },
});

/** Decisions: the current record in, the event to append (or why not) out. No I/O. */
export const decide = {
  register(
    current: DeviceRecord | null,
    deviceId: string,
    passwordHash: string,
    model: string | null,
    at: number,
  ): Decision {
    if (!REGISTRY_ID_PATTERN.test(deviceId)) return invalid('device id', deviceId);
    if (current !== null && !current.revoked) {
      return {
        ok: false,
        refusal: { code: 'already_registered', message: `device ${deviceId} is already registered` },
      };
    }
    return { ok: true, event: { type: 'device.registered', deviceId, passwordHash, model, at } };
  },
  rotate(current: DeviceRecord | null, deviceId: string, passwordHash: string, at: number): Decision {
    if (current === null) return unknown(deviceId);
    if (current.revoked)
      return {
        ok: false,
        refusal: { code: 'revoked', message: `device ${deviceId} is revoked; register it again` },
      };
    return { ok: true, event: { type: 'device.credentials-rotated', deviceId, passwordHash, at } };
  },
  revoke(current: DeviceRecord | null, deviceId: string, at: number): Decision {
    if (current === null) return unknown(deviceId);
    return { ok: true, event: { type: 'device.revoked', deviceId, at } };
  },
  bind(current: DeviceRecord | null, deviceId: string, patientId: string, at: number): Decision {
    if (!REGISTRY_ID_PATTERN.test(patientId)) return invalid('patient id', patientId);
    if (current === null) return unknown(deviceId);
    if (current.revoked)
      return { ok: false, refusal: { code: 'revoked', message: `device ${deviceId} is revoked` } };
    return { ok: true, event: { type: 'device.bound', deviceId, patientId, at } };
  },
  unbind(current: DeviceRecord | null, deviceId: string, at: number): Decision {
    if (current === null) return unknown(deviceId);
    return { ok: true, event: { type: 'device.unbound', deviceId, at } };
  },
  careTeams(
    patientId: string,
    careTeams: readonly string[],
    at: number,
    display: PatientDisplay = {},
  ): Decision {
    if (!REGISTRY_ID_PATTERN.test(patientId)) return invalid('patient id', patientId);
    const bad = careTeams.find((t) => !REGISTRY_ID_PATTERN.test(t));
    if (bad !== undefined) return invalid('care team', bad);
    return {
      ok: true,
      event: {
        type: 'patient.care-teams',
        patientId,
        careTeams: [...new Set(careTeams)].sort(),
        ...(display.displayName !== undefined ? { displayName: display.displayName } : {}),
        ...(display.bed !== undefined ? { bed: display.bed } : {}),
        at,
      },
    };
  },
};

/** Applies one event to a device record (the fold that rebuilds the registry from its log). */
export function applyToDevice(current: DeviceRecord | null, event: RegistryEvent): DeviceRecord | null {
  switch (event.type) {
    case 'device.registered':
      return {
        deviceId: event.deviceId,
        passwordHash: event.passwordHash,
        model: event.model,
        registeredAt: event.at,
        revoked: false,
        patientId: null,
        boundAt: null,
      };
    case 'device.credentials-rotated':
      return current && { ...current, passwordHash: event.passwordHash };
    case 'device.revoked':
      return current && { ...current, revoked: true, patientId: null, boundAt: null };
    case 'device.bound':
      return current && { ...current, patientId: event.patientId, boundAt: event.at };
    case 'device.unbound':
      return current && { ...current, patientId: null, boundAt: null };
    case 'patient.care-teams':
      return current;
  }
}

/** The key an event is written under on `registry.changes`. */
export const eventKey = (event: RegistryEvent): string =>
  event.type === 'patient.care-teams' ? `patient:${event.patientId}` : `device:${event.deviceId}`;
