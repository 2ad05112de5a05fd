import { type DeadLetterReason } from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { type RegistryStore } from '@vigil/registry';
import {
  cleanUp,
  IngestOutput,
  ingestSettings,
  type RunningIngest,
  startIngest,
  TestDevice,
  testRegistry,
  uniqueName,
  waitUntil,
  metricsOf,
} from './ingest-support';

/**
 * apps/ingest on the real Mosquitto (the stack's, VIGIL_MQTT_URL), Kafka and Redis: what a device publishes reaches
 * vitals.samples keyed by its patient, in order; everything else reaches vitals.deadletter with its reason.
 */
describe('ingest (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-ingest');
  const settings = ingestSettings(id, { VIGIL_INGEST_MAX_BATCH_SAMPLES: '50' });
  let ingest: RunningIngest;
  let output: IngestOutput;
  let registry: RegistryStore;
  let closeRegistry: () => Promise<void>;
  const devices: TestDevice[] = [];
  const dev = (n: string) => `${id}-${n}`;
  const pat = (n: string) => `${id}-pat-${n}`;

  async function device(name: string): Promise<TestDevice> {
    const d = await TestDevice.connect(settings, dev(name));
    devices.push(d);
    return d;
  }

  beforeAll(async () => {
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    ingest = await startIngest(settings);
    output = await IngestOutput.start(settings);
    for (const n of ['a', 'b', 'fhir', 'bad', 'dup', 'reboot']) {
      const r = await registry.enrol(dev(n), pat(n), { careTeams: ['team-a'] });
      expect(r.ok).toBe(true);
    }
    expect((await registry.register(dev('unbound'))).ok).toBe(true);
  }, 60_000);

  afterAll(async () => {
    for (const d of devices) await d.close();
    await output?.stop();
    await ingest?.app.close();
    await closeRegistry?.();
    await cleanUp(settings);
  }, 60_000);

  it('produces single samples and batches to vitals.samples keyed by patient, in order', async () => {
    const a = await device('a');
    const t0 = Date.now() - 60_000;
    for (let seq = 0; seq < 20; seq++) await a.publish({ ts: t0 + seq * 1000, seq, hr: 70 + seq, spo2: 97 });
    await a.publish({
      samples: Array.from({ length: 30 }, (_, i) => ({
        ts: new Date(t0 + (20 + i) * 1000).toISOString(),
        seq: 20 + i,
        rr: 14,
      })),
    });

    await a.publish({ ts: t0 + 50_000, seq: 50, hr: 90 }, { qos: 0 }); // a device that does not ask for acknowledgements
    const got = await waitUntil('51 samples of device a', () =>
      output.samplesOf(dev('a')).length >= 51 ? output.samplesOf(dev('a')) : undefined,
    );
    expect(got.map((s) => s.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(got[0]).toEqual({
      v: 1,
      patientId: pat('a'),
      deviceId: dev('a'),
      ts: t0,
      seq: 0,
      hr: 70,
      spo2: 97,
      receivedAt: expect.any(Number) as number,
    });
    expect(got[49]).toMatchObject({ ts: t0 + 49_000, seq: 49, rr: 14 });
    expect(got[50]).toMatchObject({ seq: 50, hr: 90 });
    const records = output.samples.filter((s) => s.value.deviceId === dev('a'));
    expect(new Set(records.map((r) => r.key))).toEqual(new Set([pat('a')]));
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
  }, 60_000);

  it('accepts FHIR R4 Observations and Bundles with LOINC codes, converting UCUM units', async () => {
    const d = await device('fhir');
    const at = (s: number) => new Date(Date.now() - 30_000 + s * 1000).toISOString();
    const obs = (code: string, value: number, unit: string, s: number) => ({
      resourceType: 'Observation',
      status: 'final',
      identifier: [{ system: 'urn:vigil:seq', value: String(s) }],
      code: { coding: [{ system: 'http://loinc.org', code }] },
      device: { reference: `Device/${dev('fhir')}` },
      effectiveDateTime: at(s),
      valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    });
    await d.publish(obs('8867-4', 88, '/min', 1));
    await d.publish({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: obs('8310-5', 100.4, '[degF]', 2) }, { resource: obs('59408-5', 94, '%', 2) }],
    });
    const got = await waitUntil('2 FHIR samples', () =>
      output.samplesOf(dev('fhir')).length >= 2 ? output.samplesOf(dev('fhir')) : undefined,
    );
    expect(got.map(({ seq, hr, temp, spo2, patientId }) => ({ seq, hr, temp, spo2, patientId }))).toEqual([
      { seq: 1, hr: 88, temp: undefined, spo2: undefined, patientId: pat('fhir') },
      { seq: 2, hr: undefined, temp: 38, spo2: 94, patientId: pat('fhir') },
    ]);
  }, 30_000);

  it('dead-letters each class of invalid input with its reason, and counts it', async () => {
    const bad = await device('bad');
    const now = Date.now();
    const cases: [DeadLetterReason, TestDevice, unknown, string?][] = [
      ['malformed_json', bad, '{"ts": 1, "seq":'],
      ['schema_violation', bad, { ts: now, seq: 1, hr: 'fast' }],
      ['implausible_value', bad, { ts: now, seq: 2, spo2: 104 }],
      ['timestamp_out_of_range', bad, { ts: now + 3_600_000, seq: 3, hr: 70 }],
      ['payload_too_large', bad, Buffer.alloc(settings.ingestMaxPayloadBytes + 1, 0x20)],
      [
        'batch_too_large',
        bad,
        { samples: Array.from({ length: 51 }, (_, i) => ({ ts: now, seq: 100 + i })) },
      ],
      ['unknown_device', await device('stranger'), { ts: now, seq: 1, hr: 70 }],
      ['device_unbound', await device('unbound'), { ts: now, seq: 1, hr: 70 }],
      ['topic_invalid', bad, { ts: now, seq: 4 }, `vigil/v1/devices/${'x'.repeat(65)}/telemetry`],
    ];
    for (const [, d, payload, topic] of cases) await d.publish(payload, {}, topic);
    await bad.publish(
      { ts: now, seq: 5, hr: 70 },
      { properties: { userProperties: { 'device-id': dev('a') } } },
    );
    const expected = [...cases.map(([reason]) => reason), 'identity_mismatch'];

    const letters = await waitUntil('a dead letter per case', () => {
      const mine = output.deadLetters.filter((d) => d.deviceId === null || d.deviceId.startsWith(id));
      return mine.length >= expected.length ? mine : undefined;
    });
    expect(letters.map((l) => l.reason).sort()).toEqual([...expected].sort());
    const byReason = new Map(letters.map((l) => [l.reason, l]));
    expect(byReason.get('implausible_value')).toMatchObject({
      deviceId: dev('bad'),
      message: 'spo2 must be between 40 and 100 %',
      payload: `{"ts":${now},"seq":2,"spo2":104}`,
    });
    expect(byReason.get('payload_too_large')).toMatchObject({
      payloadBytes: settings.ingestMaxPayloadBytes + 1,
      payloadTruncatedAt: 4096,
    });
    expect(byReason.get('unknown_device')?.deviceId).toBe(dev('stranger'));
    expect(byReason.get('topic_invalid')?.deviceId).toBeNull();
    expect(output.samplesOf(dev('bad'))).toEqual([]);

    const metrics = await metricsOf(ingest.url);
    expect(metrics).toMatch(/vigil_ingest_deadletters_total\{reason="implausible_value"\} [1-9]/);
  }, 30_000);

  it('drops a duplicate (same device and seq) to the dead letters, once in vitals.samples', async () => {
    const d = await device('dup');
    const sample = { ts: Date.now(), seq: 42, hr: 66 };
    await d.publish(sample);
    await waitUntil('the first copy', () => output.samplesOf(dev('dup')).length === 1);
    await d.publish(sample);
    await d.publish({ samples: [sample, { ...sample, seq: 43 }] });
    await waitUntil('two duplicates', () => output.deadLettersOf(dev('dup')).length >= 2);
    await waitUntil('seq 43', () => output.samplesOf(dev('dup')).some((s) => s.seq === 43));
    // Two copies in flight at once (a device resending before the first got through): one passes.
    await Promise.all([d.publish({ ...sample, seq: 44 }), d.publish({ ...sample, seq: 44 })]);
    await waitUntil(
      'seq 44 and its duplicate',
      () =>
        output.samplesOf(dev('dup')).some((s) => s.seq === 44) &&
        output.deadLettersOf(dev('dup')).length >= 3,
    );
    expect(output.samplesOf(dev('dup')).map((s) => s.seq)).toEqual([42, 43, 44]);
    expect(output.deadLettersOf(dev('dup')).map((l) => l.reason)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  }, 30_000);

  it('accepts a rebooted device counting its seqs from 0 again (same seq, new time)', async () => {
    const d = await device('reboot');
    const t0 = Date.now() - 60_000;
    await d.publish({ ts: t0, seq: 0, hr: 70 });
    await waitUntil('the first sample', () => output.samplesOf(dev('reboot')).length === 1);
    await d.publish({ ts: t0 + 30_000, seq: 0, hr: 72 }); // after a reboot: seq 0 again, a later reading
    await waitUntil('the sample after the reboot', () => output.samplesOf(dev('reboot')).length === 2);
    expect(output.samplesOf(dev('reboot')).map((s) => [s.seq, s.ts])).toEqual([
      [0, t0],
      [0, t0 + 30_000],
    ]);
    expect(output.deadLettersOf(dev('reboot'))).toEqual([]);
  }, 30_000);

  it('serves health, metrics and the registry API (admin JWT) with its OpenAPI document', async () => {
    const health = await fetch(`${ingest.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      checks: { kafka: 'up', redis: 'up', mqtt: 'up', 'kafka-writes': 'up', 'ingest-capacity': 'up' },
      down: [],
    });

    const admin = {
      authorization: `Bearer ${signToken({ sub: 'ops', role: 'admin', teams: [] }, settings.jwtSecret as string)}`,
      'content-type': 'application/json',
    };
    const nurse = {
      authorization: `Bearer ${signToken({ sub: 'n', role: 'clinician', teams: ['team-a'] }, settings.jwtSecret as string)}`,
    };
    expect((await fetch(`${ingest.url}/registry/devices`)).status).toBe(401);
    expect((await fetch(`${ingest.url}/registry/devices`, { headers: nurse })).status).toBe(403);

    const created = await fetch(`${ingest.url}/registry/devices`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ deviceId: dev('rest'), model: 'watch' }),
    });
    expect(created.status).toBe(201);
    const credentials = (await created.json()) as { password: string; device: Record<string, unknown> };
    expect(credentials.password.length).toBeGreaterThanOrEqual(24);
    expect(credentials.device).not.toHaveProperty('passwordHash');
    expect(
      (
        await fetch(`${ingest.url}/registry/devices`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ deviceId: dev('rest') }),
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await fetch(`${ingest.url}/registry/devices`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ deviceId: 'a/b' }),
        })
      ).status,
    ).toBe(400);

    const rest = await device('rest');
    await rest.publish({ ts: Date.now(), seq: 1, hr: 70 });
    await waitUntil('device_unbound for the new device', () =>
      output.deadLettersOf(dev('rest')).some((l) => l.reason === 'device_unbound'),
    );

    const bound = await fetch(`${ingest.url}/registry/devices/${dev('rest')}/patient`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ patientId: pat('rest') }),
    });
    expect(bound.status).toBe(200);
    await rest.publish({ ts: Date.now(), seq: 2, hr: 71 });
    const [sample] = await waitUntil('the sample after binding', () =>
      output.samplesOf(dev('rest')).length > 0 ? output.samplesOf(dev('rest')) : undefined,
    );
    expect(sample).toMatchObject({ patientId: pat('rest'), seq: 2 });

    const teams = await fetch(`${ingest.url}/registry/patients/${pat('rest')}/care-teams`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ careTeams: ['team-b'] }),
    });
    expect(await teams.json()).toEqual({ patientId: pat('rest'), careTeams: ['team-b'] });

    const openapi = (await (await fetch(`${ingest.url}/registry/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/registry/devices',
        '/registry/devices/{deviceId}/patient',
        '/registry/patients/{patientId}/care-teams',
      ]),
    );
  }, 30_000);
});
