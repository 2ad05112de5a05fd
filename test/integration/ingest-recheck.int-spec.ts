import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type VitalSample } from '@vigil/contracts';
import { physicalTopic } from '@vigil/infra';
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
} from './ingest-support';

const WRITTEN = 50;
const NEW = 10;

/**
 * An ingest instance killed between Kafka's acknowledgement and recording the seqs leaves samples in
 * vitals.samples that no duplicate window knows; the broker then redelivers their messages. Here the
 * killed instance's writes are made directly (fault injection at our own edge): the next ingest
 * start re-reads the last VIGIL_INGEST_RECHECK_SECONDS of the topic first, so the redelivered
 * samples become `duplicate` dead letters and every sample is in Kafka exactly once.
 */
describe('ingest start re-checks the recent tail of vitals.samples (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-recheck');
  const settings = ingestSettings(id);
  const deviceId = `${id}-dev`;
  const patientId = `${id}-pat`;
  let closeRegistry: () => Promise<void>;
  let ingest: RunningIngest;
  let output: IngestOutput;
  let device: TestDevice;

  beforeAll(async () => {
    const { registry, close } = await testRegistry(settings);
    closeRegistry = close;
    await registry.enrol(deviceId, patientId);
    output = await IngestOutput.start(settings); // creates the topics
  }, 60_000);

  afterAll(async () => {
    await device?.close();
    await ingest?.app.close();
    await output?.stop();
    await closeRegistry?.();
    await cleanUp(settings);
  }, 60_000);

  it('takes redelivered samples that are already in Kafka for duplicates, whatever Redis knows', async () => {
    const t0 = Date.now() - 600_000;
    const written: VitalSample[] = Array.from({ length: WRITTEN }, (_, seq) => ({
      v: 1,
      patientId,
      deviceId,
      ts: t0 + seq * 1000,
      seq,
      receivedAt: Date.now(),
      hr: 70,
    }));
    const kafka = new Kafka({
      clientId: id,
      brokers: [...settings.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: physicalTopic(settings.topicPrefix, TOPICS.samples),
      acks: -1,
      messages: written.map((s) => ({ key: patientId, value: JSON.stringify(s) })),
    });
    await producer.disconnect();

    ingest = await startIngest(settings);
    device = await TestDevice.connect(settings, deviceId);
    for (let seq = 0; seq < WRITTEN + NEW; seq++) await device.publish({ ts: t0 + seq * 1000, seq, hr: 70 });

    const samples = await waitUntil(
      `${WRITTEN + NEW} samples and ${WRITTEN} duplicates`,
      () =>
        output.samplesOf(deviceId).length >= WRITTEN + NEW && output.deadLettersOf(deviceId).length >= WRITTEN
          ? output.samplesOf(deviceId)
          : undefined,
      60_000,
    );
    expect(samples.map((s) => s.seq)).toEqual(Array.from({ length: WRITTEN + NEW }, (_, i) => i));
    const letters = output.deadLettersOf(deviceId);
    expect(letters).toHaveLength(WRITTEN);
    expect(letters.every((d) => d.reason === 'duplicate')).toBe(true);
  }, 120_000);
});
