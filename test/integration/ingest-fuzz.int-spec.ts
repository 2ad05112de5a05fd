import { type DeadLetterReason } from '@vigil/contracts';
import { malformedPayload, validSample } from '@vigil/ingestion';
import { Random } from '@vigil/simulator';
import {
  type IngestOutput,
  ingestSettings,
  type RunningIngest,
  SingleDeviceRig,
  type TestDevice,
  uniqueName,
  waitUntil,
} from './ingest-support';

const MALFORMED = 10_000;
const VALID_EVERY = 10;
const SEED = 20261129;

/**
 * 10,000 seeded malformed payloads over real MQTT, with valid samples interleaved: ingest stays
 * up, each bad payload becomes exactly one dead letter with the reason its generator expects, and
 * every valid sample reaches vitals.samples, in order.
 */
describe('ingest fuzz (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-fuzz');
  const settings = ingestSettings(id);
  const deviceId = `${id}-dev`;
  let rig: SingleDeviceRig;
  let ingest: RunningIngest;
  let output: IngestOutput;
  let device: TestDevice;

  beforeAll(async () => {
    rig = await SingleDeviceRig.start(settings, deviceId, `${id}-pat`);
    ({ ingest, output, device } = rig);
  }, 60_000);

  afterAll(() => rig?.stop(), 60_000);

  it(`dead-letters ${MALFORMED} malformed payloads with their reasons while valid traffic flows`, async () => {
    const rng = new Random(SEED);
    const now = Date.now();
    const limits = {
      now,
      maxPastMs: settings.ingestMaxPastMs,
      maxFutureMs: settings.ingestMaxFutureMs,
      maxPayloadBytes: settings.ingestMaxPayloadBytes,
      maxBatchSamples: settings.ingestMaxBatchSamples,
    };
    const expected = new Map<DeadLetterReason, number>();
    let validSeq = 0;
    let inFlight: Promise<void>[] = [];
    for (let i = 0; i < MALFORMED; i++) {
      const bad = malformedPayload(rng, 1_000_000 + i, limits, deviceId);
      expected.set(bad.reason, (expected.get(bad.reason) ?? 0) + 1);
      inFlight.push(device.publish(bad.payload));
      if (i % VALID_EVERY === 0)
        inFlight.push(device.publish(validSample(rng, validSeq++, now - 600_000 + validSeq * 100)));
      if (inFlight.length >= 200) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);

    const letters = await waitUntil(
      `${MALFORMED} dead letters`,
      () => (output.deadLetters.length >= MALFORMED ? output.deadLetters : undefined),
      120_000,
    );
    await waitUntil(`${validSeq} valid samples`, () => output.samples.length >= validSeq, 60_000);

    const got = new Map<DeadLetterReason, number>();
    for (const l of letters) got.set(l.reason, (got.get(l.reason) ?? 0) + 1);
    expect(letters).toHaveLength(MALFORMED);
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    expect(letters.every((l) => l.deviceId === deviceId && l.message.length > 0)).toBe(true);
    expect([...got.keys()].sort()).toEqual([
      'batch_too_large',
      'identity_mismatch',
      'implausible_value',
      'malformed_json',
      'payload_too_large',
      'schema_violation',
      'timestamp_out_of_range',
    ]);

    expect(output.samples.map((s) => s.value.seq)).toEqual(Array.from({ length: validSeq }, (_, i) => i));
    const health = await fetch(`${ingest.url}/health`);
    expect(health.status).toBe(200);
  }, 180_000);
});
