import { join } from 'node:path';
import { createServer } from 'node:net';
import { expireIngestSessions } from '@vigil/ingest';
import { AppProcesses, e2eChart, runE2eBench } from '@vigil/e2e-bench';
import { deleteTopics, testSettings, uniqueId } from '@vigil/testing';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A tiny run of `vigil bench e2e`'s engine (the CLI adds options and output): a few devices through
 * the real Mosquitto, ingest, Kafka, scorer and alerts processes to three WebSocket clients. The
 * figures are not judged here (speed belongs to the bench); what is judged is that the bench
 * accounts for every sample — published, in Kafka and scored agree — and reports each process.
 */
describe('vigil bench e2e, a tiny run (real processes; real Mosquitto, Kafka, Redis)', () => {
  const id = uniqueId('it-bench-e2e');
  let apps: AppProcesses;
  let settings: ReturnType<typeof testSettings>;

  afterAll(async () => {
    await apps?.stopAll();
    await expireIngestSessions(settings).catch(() => undefined);
    await deleteTopics(settings);
  }, 60_000);

  it('measures one short step and accounts for every sample', async () => {
    const ports = { ingest: await freePort(), scorer: await freePort(), alerts: await freePort() };
    const env = {
      VIGIL_TOPIC_PREFIX: `${id}.`,
      VIGIL_MQTT_SHARE_GROUP: id,
      VIGIL_INGEST_INSTANCE: id,
      VIGIL_ALERTS_INSTANCE: id,
      VIGIL_INGEST_PORT: String(ports.ingest),
      VIGIL_SCORER_PORT: String(ports.scorer),
      VIGIL_ALERTS_PORT: String(ports.alerts),
      VIGIL_JWT_SECRET: `secret-${id}`,
      VIGIL_METRICS_TOKEN: `metrics-${id}`,
      VIGIL_NEW_GROUPS_FROM: 'earliest',
      VIGIL_LOG_LEVEL: 'error',
    };
    settings = testSettings(id, env);
    apps = new AppProcesses({
      command: (app) => [process.execPath, join(__dirname, 'app-process.js'), app],
      env: { ...process.env, ...env },
      ports,
    });
    await apps.startAll(120_000);
    const progress: string[] = [];
    const [step] = await runE2eBench(
      { settings, apps, id, jwtSecret: `secret-${id}`, metricsToken: `metrics-${id}` },
      // Staggered, so the path that spreads devices over each interval runs too (in step is the default).
      {
        steps: [4],
        rate: 5,
        batch: 5,
        warmupSeconds: 2,
        stepSeconds: 5,
        seed: 3,
        inflight: 16,
        stagger: true,
      },
      (p) => progress.push(p.phase),
    );
    expect(progress).toEqual(expect.arrayContaining(['warm-up', 'measure']));
    expect(step.devices).toBe(4);
    expect(step.published).toBeGreaterThan(0);
    expect(step.inKafka).toBe(step.published);
    expect(step.scored).toBe(step.published);
    expect(step.lost).toBe(0);
    expect(Object.keys(step.cpu)).toEqual(
      expect.arrayContaining(['ingest', 'scorer', 'alerts', 'kafka', 'mosquitto', 'redis']),
    );
    expect(step.cpu.scorer).toBeGreaterThan(0);
    expect(e2eChart([step])).toContain('<svg');
  }, 240_000);
});
