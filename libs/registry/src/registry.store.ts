import type Redis from 'ioredis';
import { type RegistryEvent } from '@vigil/contracts';
import {
  applyToDevice,
  type Decision,
  decide,
  type DeviceRecord,
  eventKey,
  type PatientDisplay,
  type PatientRecord,
  type RegistryRefusal,
} from './registry.model';
import { hashPassword, newDeviceSecret } from './mosquitto-auth';

/** Where registry changes are recorded first (Kafka `registry.changes`); resolves once durable. */
export interface RegistryLog {
  append(key: string, event: RegistryEvent): Promise<void>;
}

export type RegistryResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: RegistryRefusal };

/** Redis keys of one registry (`prefix` isolates tests and tenants, as VIGIL_TOPIC_PREFIX does for Kafka). */
export const registryKeys = (prefix: string) => ({
  device: (id: string) => `${prefix}vigil:registry:device:${id}`,
  devices: `${prefix}vigil:registry:devices`,
  patient: (id: string) => `${prefix}vigil:registry:patient:${id}`,
  patients: `${prefix}vigil:registry:patients`,
  /** Pub/sub channel: the id of each device whose record changed (ingest evicts its cache entry). */
  changed: `${prefix}vigil:registry:changed`,
});

/**
 * The device registry's edge: every change is decided by the pure model, appended to the Kafka log
 * (the record), then applied to Redis (the rebuildable view) and announced on a pub/sub channel.
 */
export class RegistryStore {
  private readonly keys: ReturnType<typeof registryKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly log: RegistryLog,
    prefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = registryKeys(prefix);
  }

  async device(deviceId: string): Promise<DeviceRecord | null> {
    const raw = await this.redis.get(this.keys.device(deviceId));
    return raw === null ? null : (JSON.parse(raw) as DeviceRecord);
  }

  async devices(): Promise<DeviceRecord[]> {
    const ids = (await this.redis.smembers(this.keys.devices)).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.device(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as DeviceRecord);
  }

  async patient(patientId: string): Promise<PatientRecord | null> {
    const raw = await this.redis.get(this.keys.patient(patientId));
    return raw === null ? null : (JSON.parse(raw) as PatientRecord);
  }

  async patients(): Promise<PatientRecord[]> {
    const ids = (await this.redis.smembers(this.keys.patients)).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.patient(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as PatientRecord);
  }

  /** Registers a device with a new MQTT secret (returned once, stored only as a hash). */
  async register(
    deviceId: string,
    options: { model?: string | null; password?: string } = {},
  ): Promise<RegistryResult<{ device: DeviceRecord; password: string }>> {
    const password = options.password ?? newDeviceSecret();
    const result = await this.commit(
      decide.register(
        await this.device(deviceId),
        deviceId,
        hashPassword(password),
        options.model ?? null,
        this.clock(),
      ),
    );
    return result.ok ? { ok: true, value: { device: result.value as DeviceRecord, password } } : result;
  }

  async rotateCredentials(
    deviceId: string,
    password = newDeviceSecret(),
  ): Promise<RegistryResult<{ device: DeviceRecord; password: string }>> {
    const result = await this.commit(
      decide.rotate(await this.device(deviceId), deviceId, hashPassword(password), this.clock()),
    );
    return result.ok ? { ok: true, value: { device: result.value as DeviceRecord, password } } : result;
  }

  async revoke(deviceId: string): Promise<RegistryResult<DeviceRecord>> {
    return this.asDevice(
      await this.commit(decide.revoke(await this.device(deviceId), deviceId, this.clock())),
    );
  }

  async bind(deviceId: string, patientId: string): Promise<RegistryResult<DeviceRecord>> {
    return this.asDevice(
      await this.commit(decide.bind(await this.device(deviceId), deviceId, patientId, this.clock())),
    );
  }

  async unbind(deviceId: string): Promise<RegistryResult<DeviceRecord>> {
    return this.asDevice(
      await this.commit(decide.unbind(await this.device(deviceId), deviceId, this.clock())),
    );
  }

  async setCareTeams(
    patientId: string,
    careTeams: readonly string[],
    display: PatientDisplay = {},
  ): Promise<RegistryResult<PatientRecord>> {
    const result = await this.commit(decide.careTeams(patientId, careTeams, this.clock(), display));
    return result.ok ? { ok: true, value: result.value as PatientRecord } : result;
  }

  /**
   * Enrols a device in one call, for orchestration and tests: registers it (or keeps it when
   * already registered, rotating its secret only if `password` is given), binds it to the patient
   * and sets the patient's care teams. Idempotent.
   */
  async enrol(
    deviceId: string,
    patientId: string,
    options: { careTeams?: readonly string[]; password?: string; model?: string } = {},
  ): Promise<RegistryResult<{ device: DeviceRecord; password: string | null }>> {
    let password: string | null = null;
    const existing = await this.device(deviceId);
    if (existing === null || existing.revoked) {
      const r = await this.register(deviceId, options);
      if (!r.ok) return r;
      password = r.value.password;
    } else if (options.password !== undefined) {
      const r = await this.rotateCredentials(deviceId, options.password);
      if (!r.ok) return r;
      password = r.value.password;
    }
    if (options.careTeams !== undefined) {
      const teams = await this.setCareTeams(patientId, options.careTeams);
      if (!teams.ok) return teams;
    }
    const current = await this.device(deviceId);
    if (current?.patientId === patientId) return { ok: true, value: { device: current, password } };
    const bound = await this.bind(deviceId, patientId);
    return bound.ok ? { ok: true, value: { device: bound.value, password } } : bound;
  }

  /** Applies an event from the log to Redis (used by commits and by a rebuild from Kafka). */
  async apply(event: RegistryEvent): Promise<DeviceRecord | PatientRecord> {
    if (event.type === 'patient.care-teams') {
      const patient: PatientRecord = {
        patientId: event.patientId,
        careTeams: event.careTeams,
        ...(event.displayName !== undefined ? { displayName: event.displayName } : {}),
        ...(event.bed !== undefined ? { bed: event.bed } : {}),
      };
      await this.redis
        .multi()
        .set(this.keys.patient(event.patientId), JSON.stringify(patient))
        .sadd(this.keys.patients, event.patientId)
        .exec();
      return patient;
    }
    const next = applyToDevice(await this.device(event.deviceId), event);
    if (next === null) throw new Error(`registry log: ${event.type} for unknown device ${event.deviceId}`);
    await this.redis
      .multi()
      .set(this.keys.device(event.deviceId), JSON.stringify(next))
      .sadd(this.keys.devices, event.deviceId)
      .publish(this.keys.changed, event.deviceId)
      .exec();
    return next;
  }

  /** Drops the Redis view (before a rebuild from the log). */
  async clear(): Promise<void> {
    const ids = await this.redis.smembers(this.keys.devices);
    const patients = await this.redis.smembers(this.keys.patients);
    const keys = [
      ...ids.map((id) => this.keys.device(id)),
      ...patients.map((id) => this.keys.patient(id)),
      this.keys.devices,
      this.keys.patients,
    ];
    if (keys.length > 0) await this.redis.del(...keys);
  }

  private async commit(decision: Decision): Promise<RegistryResult<DeviceRecord | PatientRecord>> {
    if (!decision.ok) return decision;
    await this.log.append(eventKey(decision.event), decision.event);
    return { ok: true, value: await this.apply(decision.event) };
  }

  private asDevice(result: RegistryResult<DeviceRecord | PatientRecord>): RegistryResult<DeviceRecord> {
    return result.ok ? { ok: true, value: result.value as DeviceRecord } : result;
  }
}
