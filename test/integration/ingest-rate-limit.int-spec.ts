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
 * Per-device rate limit on the real Mosquitto, Kafka and Redis: a device flooding far beyond
 * VIGIL_INGEST_RATE_PER_DEVICE gets its excess dead-lettered as rate_limited (nothing silently lost:
 * every sample is in vitals.samples or in a dead letter), while another device's samples all arrive.
 */
describe('ingest per-device rate limit (real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueName('it-rate');
  const rate = 5;
  const burst = 20;
  const settings = ingestSettings(id, {
    VIGIL_INGEST_RATE_PER_DEVICE: String(rate),
    VIGIL_INGEST_RATE_BURST: String(burst),
  });
  const flooder = `${id}-flood`;
  const neighbour = `${id}-calm`;
  let ingest: RunningIngest;
  let output: IngestOutput;
  let closeRegistry: () => Promise<void>;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    const { registry, close } = await testRegistry(settings);
    closeRegistry = close;
    await registry.enrol(flooder, `${id}-pat-1`);
    await registry.enrol(neighbour, `${id}-pat-2`);
    ingest = await startIngest(settings);
    output = await IngestOutput.start(settings);
  }, 60_000);

  afterAll(async () => {
    for (const d of devices) await d.close();
    await output?.stop();
    await ingest?.app.close();
    await closeRegistry?.();
    await cleanUp(settings);
  }, 60_000);

  it('dead-letters a flooding device beyond its rate and burst, and lets the other device through', async () => {
    const flood = await TestDevice.connect(settings, flooder);
    const calm = await TestDevice.connect(settings, neighbour);
    devices.push(flood, calm);
    const t0 = Date.now() - 60_000;
    const started = Date.now();
    const flooding: Promise<void>[] = [];
    for (let seq = 0; seq < 400; seq++) flooding.push(flood.publish({ ts: t0 + seq, seq, hr: 70 }));
    // The neighbour sends within its own burst, interleaved with the flood.
    for (let seq = 0; seq < 15; seq++) await calm.publish({ ts: t0 + seq * 1000, seq, hr: 65 });
    await Promise.all(flooding);

    const limitedSamples = () =>
      output
        .deadLettersOf(flooder)
        .filter((d) => d.reason === 'rate_limited')
        .reduce((n, d) => n + ((JSON.parse(d.payload) as { samples?: unknown[] }).samples?.length ?? 1), 0);
    await waitUntil(
      'every flooded sample in Kafka or dead-lettered, and all 15 of the neighbour',
      () =>
        output.samplesOf(flooder).length + limitedSamples() >= 400 &&
        output.samplesOf(neighbour).length >= 15,
    );
    const elapsedS = (Date.now() - started) / 1000;
    const accepted = output.samplesOf(flooder).length;
    expect(accepted + limitedSamples()).toBe(400);
    expect(accepted).toBeGreaterThanOrEqual(burst);
    expect(accepted).toBeLessThanOrEqual(burst + Math.ceil(rate * elapsedS));
    expect(output.deadLettersOf(flooder).every((d) => d.reason === 'rate_limited')).toBe(true);
    expect(
      output
        .samplesOf(neighbour)
        .map((s) => s.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(output.deadLettersOf(neighbour)).toEqual([]);
    const metrics = await metricsOf(ingest.url);
    expect(metrics).toMatch(/^vigil_ingest_deadletters_total\{reason="rate_limited"\} [1-9]/m);
  }, 60_000);
});
