import { openRegistry, type OpenRegistry } from '@vigil/registry';
import { cleanUp, ingestSettings, uniqueName } from './ingest-support';

/**
 * The device registry on the real Kafka and Redis: Kafka `registry.changes` is the record, Redis a
 * view that can be dropped and rebuilt from it exactly.
 */
describe('device registry (real Kafka, Redis)', () => {
  const id = uniqueName('it-registry');
  const settings = ingestSettings(id);
  let open: OpenRegistry;
  const dev = (n: number) => `${id}-dev-${n}`;
  const pat = (n: number) => `${id}-pat-${n}`;

  beforeAll(async () => {
    open = await openRegistry(settings);
  }, 60_000);

  afterAll(async () => {
    await open?.close();
    await cleanUp(settings);
  }, 60_000);

  it('rebuilds the same devices, bindings and care teams from Kafka after Redis is wiped', async () => {
    const { registry } = open;
    for (let n = 1; n <= 3; n++)
      expect((await registry.enrol(dev(n), pat(n), { careTeams: [`team-${n}`] })).ok).toBe(true);
    expect((await registry.bind(dev(2), pat(1))).ok).toBe(true); // moved to another patient
    expect((await registry.unbind(dev(3))).ok).toBe(true);
    expect((await registry.revoke(dev(1))).ok).toBe(true);
    expect((await registry.register(dev(4), { model: 'patch' })).ok).toBe(true);
    expect((await registry.register(dev(4))).ok).toBe(false); // refused: nothing recorded
    const devices = await registry.devices();
    const patients = await registry.patients();
    expect(devices.map((d) => [d.deviceId, d.patientId, d.revoked])).toEqual([
      [dev(1), null, true],
      [dev(2), pat(1), false],
      [dev(3), null, false],
      [dev(4), null, false],
    ]);

    await registry.clear();
    expect(await registry.devices()).toEqual([]);
    // 3 × (registered, care teams, bound) + bound + unbound + revoked + registered
    expect(await open.rebuild()).toBe(13);
    expect(await registry.devices()).toEqual(devices);
    expect(await registry.patients()).toEqual(patients);
  }, 60_000);
});
