import { type RegistryEvent } from '@vigil/contracts';
import { applyToDevice, bindingOf, decide, type DeviceRecord } from './registry.model';

const replay = (events: RegistryEvent[]) =>
  events.reduce<DeviceRecord | null>((d, e) => applyToDevice(d, e), null);

describe('registry model', () => {
  it('rebuilds a device from its events: registered, bound, unbound, bound again', () => {
    const device = replay([
      { type: 'device.registered', deviceId: 'dev-0001', passwordHash: 'h1', model: 'watch', at: 1 },
      { type: 'device.bound', deviceId: 'dev-0001', patientId: 'pat-0001', at: 2 },
      { type: 'device.unbound', deviceId: 'dev-0001', at: 3 },
      { type: 'device.bound', deviceId: 'dev-0001', patientId: 'pat-0002', at: 4 },
      { type: 'device.credentials-rotated', deviceId: 'dev-0001', passwordHash: 'h2', at: 5 },
    ]);
    expect(device).toEqual({
      deviceId: 'dev-0001',
      passwordHash: 'h2',
      model: 'watch',
      registeredAt: 1,
      revoked: false,
      patientId: 'pat-0002',
      boundAt: 4,
    });
    expect(bindingOf(device)).toEqual({ status: 'bound', patientId: 'pat-0002' });
  });

  it('treats a revoked device as unknown, and an unbound one as unbound', () => {
    const registered = replay([
      { type: 'device.registered', deviceId: 'd', passwordHash: 'h', model: null, at: 1 },
    ]);
    expect(bindingOf(registered)).toEqual({ status: 'unbound' });
    expect(bindingOf(applyToDevice(registered, { type: 'device.revoked', deviceId: 'd', at: 2 }))).toEqual({
      status: 'unknown',
    });
    expect(bindingOf(null)).toEqual({ status: 'unknown' });
  });

  it('refuses as values: a second registration, binding an unknown device, ids that cannot be a topic level', () => {
    const registered = replay([
      { type: 'device.registered', deviceId: 'd', passwordHash: 'h', model: null, at: 1 },
    ]);
    expect(decide.register(registered, 'd', 'h', null, 2)).toMatchObject({
      ok: false,
      refusal: { code: 'already_registered' },
    });
    expect(decide.bind(null, 'x', 'pat-1', 2)).toMatchObject({
      ok: false,
      refusal: { code: 'unknown_device' },
    });
    expect(decide.register(null, 'dev/+/#', 'h', null, 2)).toMatchObject({
      ok: false,
      refusal: { code: 'invalid_id' },
    });
    expect(decide.careTeams('pat-1', ['team-b', 'team-a', 'team-a'], 3)).toEqual({
      ok: true,
      event: { type: 'patient.care-teams', patientId: 'pat-1', careTeams: ['team-a', 'team-b'], at: 3 },
    });
  });
});
