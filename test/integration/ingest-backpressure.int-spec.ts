import { type Outbound, RecordWriter } from '@vigil/ingest';
import {
  type IngestOutput,
  ingestSettings,
  type RunningIngest,
  SingleDeviceRig,
  type TestDevice,
  uniqueName,
  waitUntil,
} from './ingest-support';

/**
 * Back-pressure on the real Mosquitto: while Kafka does not acknowledge, ingest holds at most
 * Receive Maximum messages (VIGIL_INGEST_RECEIVE_MAXIMUM); the rest wait at the broker, unacknowledged,
 * and all arrive in order once Kafka is back. Memory in ingest stays bounded by construction.
 */
describe('ingest back-pressure (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-bp');
  const settings = ingestSettings(id, { VIGIL_INGEST_RECEIVE_MAXIMUM: '5' });
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

  it('holds at most Receive Maximum messages while Kafka is stalled, then delivers everything in order', async () => {
    const writer = ingest.app.get(RecordWriter);
    const realWrite = writer.write.bind(writer);
    let pending = 0;
    let maxPending = 0;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    jest.spyOn(writer, 'write').mockImplementation(async (out: Outbound) => {
      pending++;
      maxPending = Math.max(maxPending, pending);
      try {
        await gate; // Kafka is stalled until the gate opens
        await realWrite(out);
      } finally {
        pending--;
      }
    });

    const t0 = Date.now() - 60_000;
    for (let seq = 0; seq < 40; seq++) await device.publish({ ts: t0 + seq * 1000, seq, hr: 70 }); // the broker took all 40
    await waitUntil('ingest to hold Receive Maximum messages', () => pending === 5);
    openGate();

    const got = await waitUntil('all 40 samples', () =>
      output.samples.length >= 40 ? output.samples : undefined,
    );
    expect(got.map((s) => s.value.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(maxPending).toBe(5);
  }, 60_000);
});
