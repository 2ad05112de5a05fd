import { type Keyed } from '@vigil/infra';
import { IngestService, MqttSubscriber, type Outbound, RecordWriter } from '@vigil/ingest';
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
 * Delivery guarantees of ingest on the real Mosquitto and Kafka: a message is acknowledged to the
 * broker only after Kafka acknowledged it, so an ingest that dies in between loses nothing (the
 * broker redelivers to the restarted instance), and a redelivery after the Kafka ack is a duplicate.
 */
describe('ingest delivery (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-deliver');
  const settings = ingestSettings(id);
  let output: IngestOutput;
  let registry: RegistryStore;
  let closeRegistry: () => Promise<void>;
  const running: RunningIngest[] = [];
  const devices: TestDevice[] = [];
  const dev = (n: string) => `${id}-${n}`;

  async function start(overrides: Record<string, string> = {}): Promise<RunningIngest> {
    const app = await startIngest(
      Object.keys(overrides).length === 0 ? settings : ingestSettings(id, overrides),
    );
    running.push(app);
    return app;
  }
  async function stop(app: RunningIngest): Promise<void> {
    running.splice(running.indexOf(app), 1);
    await app.app.close();
  }
  async function device(name: string): Promise<TestDevice> {
    await registry.enrol(dev(name), `${id}-pat-${name}`);
    const d = await TestDevice.connect(settings, dev(name));
    devices.push(d);
    return d;
  }

  beforeAll(async () => {
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    output = await IngestOutput.start(settings);
  }, 60_000);

  afterAll(async () => {
    for (const d of devices) await d.close();
    for (const app of [...running]) await stop(app);
    await output?.stop();
    await closeRegistry?.();
    await cleanUp(settings);
    await cleanUp(ingestSettings(id, { VIGIL_INGEST_INSTANCE: `${id}-b` }));
  }, 60_000);

  it('loses nothing when ingest dies between receipt and the Kafka ack: the broker redelivers to the restarted instance', async () => {
    const first = await start();
    const d = await device('crash');
    const writer = first.app.get(RecordWriter);
    const held: { out: Outbound; fail: (e: Error) => void }[] = [];
    // Kafka has not acknowledged yet: every write is held.
    jest
      .spyOn(writer, 'write')
      .mockImplementation(
        (out: Outbound) => new Promise<void>((_resolve, reject) => void held.push({ out, fail: reject })),
      );

    const t0 = Date.now() - 10_000;
    for (let seq = 0; seq < 5; seq++) await d.publish({ ts: t0 + seq * 1000, seq, hr: 60 + seq });
    await waitUntil('ingest to receive all 5 messages', () => held.length === 5);
    expect(held.map((h) => h.out.samples.map((s: Keyed<{ seq: number }>) => s.value.seq)).flat()).toEqual([
      0, 1, 2, 3, 4,
    ]);

    first.app.get(MqttSubscriber).crash(); // the process dies: no PUBACK, no DISCONNECT
    for (const h of held) h.fail(new Error('process died'));
    await stop(first);
    expect(output.samplesOf(dev('crash'))).toEqual([]);

    await start(); // the same instance comes back
    const got = await waitUntil('the 5 samples after the restart', () =>
      output.samplesOf(dev('crash')).length >= 5 ? output.samplesOf(dev('crash')) : undefined,
    );
    expect(got.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(output.deadLettersOf(dev('crash'))).toEqual([]);
  }, 60_000);

  it('drops the redelivered copy when ingest dies after the Kafka ack but before acknowledging', async () => {
    const [current] = running;
    const d = await device('late');
    const writer = current.app.get(RecordWriter);
    const subscriber = current.app.get(MqttSubscriber);
    const realWrite = writer.write.bind(writer);
    let died = false;
    jest.spyOn(writer, 'write').mockImplementation(async (out: Outbound) => {
      await realWrite(out); // Kafka acknowledged ...
      if (!died && out.samples.some((s) => s.value.deviceId === dev('late'))) {
        died = true;
        subscriber.crash(); // ... and the process dies before the PUBACK
      }
    });
    await d.publish({ ts: Date.now(), seq: 7, spo2: 95 });
    await waitUntil('the sample in Kafka', () => output.samplesOf(dev('late')).length === 1);
    await stop(current);

    const restarted = await start();
    await waitUntil(
      'the redelivered copy to be dead-lettered as a duplicate',
      () => output.deadLettersOf(dev('late')).length === 1,
    );
    expect(output.deadLettersOf(dev('late'))[0]).toMatchObject({
      reason: 'duplicate',
      deviceId: dev('late'),
    });
    expect(output.samplesOf(dev('late')).map((s) => s.seq)).toEqual([7]);
    const metrics = await metricsOf(restarted.url);
    expect(metrics).toMatch(/vigil_ingest_redelivered_total [1-9]/);
  }, 60_000);

  it('splits the load between two instances on one shared subscription, and every sample arrives once', async () => {
    const second = await start({ VIGIL_INGEST_INSTANCE: `${id}-b` });
    const handled = running.map((app) => jest.spyOn(app.app.get(IngestService), 'handle'));
    const names = ['s1', 's2', 's3', 's4'];
    const ds = await Promise.all(names.map((n) => device(n)));
    const t0 = Date.now() - 60_000;
    await Promise.all(
      ds.map(async (d) => {
        for (let seq = 0; seq < 25; seq++) await d.publish({ ts: t0 + seq * 1000, seq, rr: 12 + (seq % 5) });
      }),
    );
    await waitUntil('100 samples', () => names.every((n) => output.samplesOf(dev(n)).length >= 25));
    for (const n of names)
      expect(
        output
          .samplesOf(dev(n))
          .map((s) => s.seq)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(running).toContain(second);
    expect(handled.map((spy) => spy.mock.calls.length > 0)).toEqual([true, true]);
    expect(handled.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(100);
  }, 60_000);
});
