import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Consumer } from 'kafkajs';
import { signToken } from '@vigil/alerting';
import { loadConfig } from '@vigil/config';
import { type AlertEvent, TOPICS, type VitalSample, type WindowScore } from '@vigil/contracts';
import { DetectionPipeline, detectionOptionsFrom } from '@vigil/detection';
import { expireIngestSessions } from '@vigil/ingest';
import { consumerGroup, physicalTopic, removePrefixedState } from '@vigil/infra';
import { type RegistryStore } from '@vigil/registry';
import { SCORER_GROUP } from '@vigil/scorer';
import { RecordingSocket, testKafka, testSettings, uniqueId, waitFor } from '@vigil/testing';
import { TestDevice, testRegistry } from './ingest-support';

const PATIENTS = 24; // two per partition of vitals.samples (12), so every scorer owns some
const SECONDS = 480; // 8 minutes of 1 Hz vitals per patient
const PER_MESSAGE = 10; // samples in one MQTT message (a batch payload)
const DESAT = { from: 200, to: 320 }; // SpO2 85 % on every other patient: one alert each, then resolved

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Reads vitals.scores and alerts.events from the beginning, the whole test long. */
class OutputReader {
  readonly scores: WindowScore[] = [];
  readonly alerts: AlertEvent[] = [];
  readonly samples: VitalSample[] = [];
  /** `deviceId/seq` of every sample seen on vitals.samples. */
  readonly seen = new Set<string>();
  private constructor(private readonly consumer: Consumer) {}

  static async start(prefix: string): Promise<OutputReader> {
    const consumer = testKafka().consumer({ groupId: `${prefix}reader`, maxWaitTimeInMs: 100 });
    const reader = new OutputReader(consumer);
    const scores = physicalTopic(prefix, TOPICS.scores);
    await consumer.connect();
    const samples = physicalTopic(prefix, TOPICS.samples);
    await consumer.subscribe({
      topics: [scores, physicalTopic(prefix, TOPICS.alerts), samples],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const value: unknown = JSON.parse(message.value?.toString() ?? 'null');
        if (topic === scores) reader.scores.push(value as WindowScore);
        else if (topic === samples) {
          const sample = value as VitalSample;
          reader.samples.push(sample);
          reader.seen.add(`${sample.deviceId}/${sample.seq}`);
        } else reader.alerts.push(value as AlertEvent);
        return Promise.resolve();
      },
    });
    return reader;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/**
 * The scaled-out topology on one machine, every app a real process on the one local Kafka (the
 * test's topic prefix), Redis and Vigil's Mosquitto: 2 ingest instances on one MQTT shared
 * subscription, 3 scorers in one consumer group, 2 alert gateways. One scorer is SIGKILLed while
 * the devices are still publishing: the other two take its partitions (after its session times
 * out), every window of every patient is scored, every alert is raised (deterministic ids: a
 * replayed batch yields the same alert), and each WebSocket client, on either gateway, gets each
 * change of each of its alerts once. The devices publish unpaced, each with its consecutive messages
 * swapped in pairs, so samples reach Kafka out of order: the scorers' reorder buffers put them back,
 * and the windows are those of an in-order run.
 */
describe('several instances of every app on one Kafka (real processes; a scorer SIGKILLed mid-stream)', () => {
  const id = uniqueId('it-multi');
  const settings = testSettings(id);
  const secret = settings.jwtSecret as string;
  const children: ChildProcess[] = [];
  const devices: TestDevice[] = [];
  const sockets: RecordingSocket[] = [];
  const ingestInstances = [`${id}-ingest-1`, `${id}-ingest-2`];
  let registry: RegistryStore;
  let closeRegistry: (() => Promise<void>) | undefined;
  let reader: OutputReader | undefined;
  const t0 = Date.now() - 2 * 3600_000;
  const patients = Array.from({ length: PATIENTS }, (_, i) => ({
    patientId: `${id}-pat-${i}`,
    deviceId: `${id}-dev-${i}`,
    team: i % 4 < 2 ? 'team-a' : 'team-b',
    desaturates: i % 2 === 0,
  }));

  const samplesOf = (p: (typeof patients)[number]): Omit<VitalSample, 'v' | 'patientId' | 'receivedAt'>[] =>
    Array.from({ length: SECONDS }, (_, s) => ({
      deviceId: p.deviceId,
      ts: t0 + s * 1000,
      seq: s,
      hr: 72 + (s % 4),
      spo2: p.desaturates && s >= DESAT.from && s < DESAT.to ? 85 : 97,
      rr: 15,
      temp: 36.8,
      sbp: 121,
      dbp: 78,
    }));

  const start = async (app: 'ingest' | 'scorer' | 'alerts', env: Record<string, string>) => {
    const port = await freePort();
    const portVar = { ingest: 'VIGIL_INGEST_PORT', scorer: 'VIGIL_SCORER_PORT', alerts: 'VIGIL_ALERTS_PORT' }[
      app
    ];
    const child = spawn(process.execPath, [join(__dirname, 'app-process.js'), app], {
      env: {
        ...process.env,
        VIGIL_TOPIC_PREFIX: settings.topicPrefix,
        VIGIL_MQTT_SHARE_GROUP: settings.mqttShareGroup,
        VIGIL_JWT_SECRET: secret,
        VIGIL_METRICS_TOKEN: `scrape-${id}`,
        VIGIL_NEW_GROUPS_FROM: 'earliest',
        VIGIL_MODEL_DIR: 'none', // the rules are enough to prove delivery; keeps seven processes light
        VIGIL_ESCALATE_AFTER_SECONDS: '86400', // the samples are two hours old: no escalation mid-test
        VIGIL_LOG_LEVEL: 'error',
        [portVar]: String(port),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return { child, port, url: `http://127.0.0.1:${port}` };
  };
  const healthy = (url: string) =>
    waitFor(
      `${url}/health`,
      async () => (await fetch(`${url}/health`).catch(() => null))?.ok === true,
      90_000,
    );
  const token = (sub: string, role: 'clinician' | 'oncall', teams: string[]) =>
    signToken({ sub, role, teams }, secret);

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const d of devices) await d.close().catch(() => undefined);
    const exits = children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGKILL'))));
    await Promise.all(exits);
    await reader?.stop();
    await closeRegistry?.();
    for (const instance of ingestInstances)
      await expireIngestSessions(loadConfig({ VIGIL_INGEST_INSTANCE: instance }));
    await removePrefixedState(settings);
  }, 60_000);

  it('scores every window and delivers every alert once to clients of both gateways, with a scorer SIGKILLed mid-stream', async () => {
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    for (const p of patients) {
      const enrolled = await registry.enrol(p.deviceId, p.patientId, { careTeams: [p.team] });
      if (!enrolled.ok) throw new Error(`enrolment of ${p.deviceId} failed`);
    }
    // What one uninterrupted scorer makes of these samples: the pure pipeline, in this process.
    const pipeline = new DetectionPipeline(detectionOptionsFrom(settings, undefined), null);
    const expectedWindows = new Set<string>();
    const expectedScores: WindowScore[] = [];
    const expectedAlerts = new Map<string, string>(); // raised alert id → patient
    for (const p of patients) {
      const samples = samplesOf(p).map((s) => ({
        ...s,
        v: 1 as const,
        patientId: p.patientId,
        receivedAt: 0,
      }));
      const out = await pipeline.process(samples);
      for (const w of out.scores) expectedWindows.add(`${w.patientId}@${w.at}`);
      expectedScores.push(...out.scores);
      for (const a of out.alerts) if (a.state === 'raised') expectedAlerts.set(a.alertId, a.patientId);
    }
    expect(expectedAlerts.size).toBe(PATIENTS / 2); // one per desaturating patient

    const ingests = await Promise.all(
      ingestInstances.map((name) => start('ingest', { VIGIL_INGEST_INSTANCE: name })),
    );
    const gateways = await Promise.all(
      [1, 2].map((n) => start('alerts', { VIGIL_ALERTS_INSTANCE: `${id}-gw-${n}` })),
    );
    // A message carries 10 s of measurement, so the later message of a swapped pair is up to 20 s
    // of measurement ahead of the gap before it: the default lateness (5 s) would let the watermark
    // release it before its predecessor comes. 30 s covers a pair, with room.
    const scorers = await Promise.all(
      [1, 2, 3].map(() => start('scorer', { VIGIL_SCORER_MAX_LATENESS_MS: '30000' })),
    );
    await Promise.all([...ingests, ...gateways, ...scorers].map((a) => healthy(a.url)));
    reader = await OutputReader.start(settings.topicPrefix);

    // A nurse of each team and an on-call clinician on each gateway.
    const clients = [
      { gw: 0, teams: ['team-a'], role: 'clinician' as const },
      { gw: 1, teams: ['team-b'], role: 'clinician' as const },
      { gw: 0, teams: [], role: 'oncall' as const },
      { gw: 1, teams: [], role: 'oncall' as const },
    ];
    for (const [i, c] of clients.entries()) {
      const ws = await RecordingSocket.connect(
        `ws://127.0.0.1:${gateways[c.gw].port}/ws`,
        token(`user-${i}`, c.role, c.teams),
      );
      sockets.push(ws);
    }
    await waitFor('hello on every socket', () => sockets.every((s) => s.of('hello').length === 1));

    for (const p of patients) devices.push(await TestDevice.connect(settings, p.deviceId));
    // Each device publishes its messages swapped in pairs (0 | 2, 1 | 4, 3 | …), a pair as fast as
    // the broker acknowledges: it acknowledges on receipt, and the shared subscription hands the two
    // to either ingest instance, so they reach Kafka out of order. Before its next pair, a device
    // waits until both are in Kafka, as a device at 1 Hz would (its batches are seconds apart):
    // unpaced, one ingest instance fell behind the other by 15 messages and more (150 samples), beyond
    // what the scorer holds per patient (128). A device's first message goes alone: nothing tells the
    // scorer a sample is missing before the first it sees of a device, which it scores at once.
    const messages = SECONDS / PER_MESSAGE;
    const swappedPairs = (from: number, to: number) => {
      const pairs = from === 0 ? [[0]] : [];
      for (let m = from === 0 ? 1 : from; m < to; m += 2) pairs.push(m + 1 < to ? [m + 1, m] : [m]);
      return pairs;
    };
    const publish = async (from: number, to: number) => {
      await Promise.all(
        patients.map(async (p, i) => {
          const samples = samplesOf(p);
          for (const pair of swappedPairs(from, to)) {
            for (const m of pair) {
              const batch = samples.slice(m * PER_MESSAGE, (m + 1) * PER_MESSAGE);
              await devices[i].publish({ samples: batch.map(({ deviceId: _d, ...s }) => s) });
            }
            // Both messages of the pair: one stuck behind the other instance would outrun the bound.
            const lasts = pair.map((m) => (m + 1) * PER_MESSAGE - 1);
            await waitFor(`${p.deviceId} seq ${lasts.join(', ')} in Kafka`, () =>
              lasts.every((seq) => reader!.seen.has(`${p.deviceId}/${seq}`)),
            );
          }
        }),
      );
    };
    await publish(0, messages / 2);
    await waitFor('scores from the first half', () => reader!.scores.length > 0, 60_000);
    const group = consumerGroup(settings.topicPrefix, SCORER_GROUP);
    const members = async () => {
      const admin = testKafka().admin();
      await admin.connect();
      const { groups } = await admin.describeGroups([group]).finally(() => admin.disconnect());
      return groups[0];
    };
    await waitFor('three scorers sharing the partitions', async () => {
      const g = await members();
      return g.state === 'Stable' && g.members.length === 3;
    });
    const victim = scorers[0].child;
    victim.kill('SIGKILL'); // mid-stream: half the samples are still to come, for its partitions too
    await new Promise((resolve) => victim.once('exit', resolve));
    await publish(messages / 2, messages);

    // Every window of every patient scored, by the two scorers left (at-least-once: a batch the
    // dead scorer had produced but not committed is scored again; the same windows, the same ids).
    const windowKey = (w: WindowScore) => `${w.patientId}@${w.at}`;
    await waitFor(
      `all ${expectedWindows.size} windows scored`,
      () => new Set(reader!.scores.map(windowKey)).size >= expectedWindows.size,
      60_000,
    );
    expect(new Set(reader.scores.map(windowKey))).toEqual(expectedWindows);
    expect(reader.scores.length).toBeGreaterThanOrEqual(expectedWindows.size);

    // The samples did reach Kafka out of order, and the scorers applied them in order: a window due
    // while a sample was missing would end at another second (the stride counts from the last
    // window) and hold other values. Each score, replays too, holds what the in-order run's does.
    const backwards = patients.filter((p) => {
      const seqs = reader!.samples.filter((x) => x.deviceId === p.deviceId).map((x) => x.seq);
      return seqs.some((seq, k) => k > 0 && seq < seqs[k - 1]);
    });
    expect(backwards).toHaveLength(PATIENTS);
    const inWindow = (w: WindowScore) => ({ key: windowKey(w), news2: w.news2, latest: w.latest });
    const expectedByKey = new Map(expectedScores.map((w) => [windowKey(w), inWindow(w)]));
    for (const w of reader.scores) expect(inWindow(w)).toEqual(expectedByKey.get(windowKey(w)));
    // The two scorers left held samples (reordered) until their gaps filled, and scored none late.
    const scorerMetric = async (name: string) => {
      let sum = 0;
      for (const s of scorers.slice(1)) {
        const text = await (
          await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer scrape-${id}` } })
        ).text();
        sum += Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      }
      return sum;
    };
    expect(await scorerMetric('vigil_scorer_reordered_samples_total')).toBeGreaterThan(0);
    expect(await scorerMetric('vigil_scorer_late_samples_total')).toBe(0); // each pair within the bound
    const after = await members();
    expect([after.state, after.members.length]).toEqual(['Stable', 2]); // the two left own every partition

    // Both ingest instances took part in the shared subscription.
    for (const ingest of ingests) {
      const text = await (
        await fetch(`${ingest.url}/metrics`, { headers: { authorization: `Bearer scrape-${id}` } })
      ).text();
      expect(Number(/^vigil_ingest_samples_total (\d+)/m.exec(text)?.[1] ?? 0)).toBeGreaterThan(0);
    }

    // No alert lost: every alert raised, with the ids one uninterrupted scorer gives them.
    await waitFor('every alert resolved on Kafka', () => {
      const resolved = new Set(reader!.alerts.filter((a) => a.state === 'resolved').map((a) => a.alertId));
      return [...expectedAlerts.keys()].every((alertId) => resolved.has(alertId));
    });
    const raised = new Set(reader.alerts.filter((a) => a.state === 'raised').map((a) => a.alertId));
    expect(raised).toEqual(new Set(expectedAlerts.keys()));

    // Each client, on either gateway: each of its alerts, each change once (a replayed event is not pushed again).
    for (const [i, c] of clients.entries()) {
      const mine = [...expectedAlerts]
        .filter(
          ([, patientId]) =>
            c.role === 'oncall' || c.teams.includes(patients.find((p) => p.patientId === patientId)!.team),
        )
        .map(([alertId]) => alertId);
      const socket = sockets[i];
      await waitFor(`client ${i}: its alerts resolved`, () =>
        mine.every((alertId) =>
          socket.of('alert').some((a) => a.alertId === alertId && a.status === 'resolved'),
        ),
      );
      const pushes = socket.of('alert').filter((a) => a.kind === 'clinical');
      expect(new Set(pushes.map((a) => a.alertId))).toEqual(new Set(mine));
      const fingerprints = pushes.map((a) => `${a.alertId}|${a.status}|${a.severity}|${a.updatedAt}`);
      expect(fingerprints.length).toBe(new Set(fingerprints).size);
      for (const alertId of mine)
        expect(pushes.filter((a) => a.alertId === alertId && a.status === 'resolved')).toHaveLength(1);
    }
  }, 420_000);
});
