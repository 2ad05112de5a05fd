import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { type AlertEvent, type AlertView, type DeadLetter, TOPICS, type VitalSample } from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { physicalTopic } from '@vigil/infra';
import { testSettings, uniqueId, waitFor } from '@vigil/testing';
import { AppProcesses, ClinicianClient, enrolDevices, metricSum, type PipelineApp } from '@vigil/e2e-bench';
import { freePort, PrivateStack } from './private-stack';
import { sampleKey, SteadyLoad } from './steady-load';

const DEVICES = 16;
const SPEED = 4; // seconds of measurement time per wall second: 64 samples/s, demo episodes early
const STEADY_MS = 15_000; // steady load before each fault
const KAFKA_OUTAGE_MS = 30_000;
const REGISTRY_CACHE_MS = 60_000; // VIGIL_INGEST_REGISTRY_CACHE_MS (default)
const RECOVERY_BOUND_MS = 120_000; // a fault not recovered from in 2 minutes is reported as such

interface Fault {
  readonly name: string;
  /** Injects the fault and clears it (restart, service back); resolves when it is cleared. */
  readonly inject: () => Promise<void>;
  /** A gateway fault: every client must have reconnected and been greeted since it. */
  readonly gateway?: boolean;
  /** Wait this long after the fault before judging recovery (ingest's registry cache outlives a Redis loss). */
  readonly settleMs?: number;
}

interface Row {
  fault: string;
  outageS: number;
  recoveryS: number;
  samplesLost: number;
  duplicateSamples: number;
  duplicateAlerts: number;
  openAlertsLost: number;
  alertsNotDelivered: number;
  /** Lost samples found in vitals.deadletter instead, by reason. */
  deadLettered: Record<string, number>;
  lostExamples: string[];
}

/**
 * The fault suite (`npm run test:faults`): the whole pipeline — the simulator's devices over MQTT,
 * ingest, scorer and alerts as real processes, clinicians on WebSockets — on a private stack of its
 * own (Kafka, Redis, Mosquitto), under steady load, with one fault at a time: SIGKILL of each app
 * (the gateway's with its clients connected), Kafka down 30 s, Redis FLUSHALL, Redis restarted,
 * the broker restarted. Then it counts: every sample a device had acknowledged is in
 * vitals.samples exactly once (by device, seq, ts); every alert change reached each entitled
 * clinician, once; no open alert went missing from the gateway; and how long recovery took.
 */
describe('fault suite: one fault at a time under steady load (real processes, private Kafka/Redis/Mosquitto)', () => {
  const id = uniqueId('faults');
  let stack: PrivateStack;
  let apps: AppProcesses;
  let load: SteadyLoad | undefined;
  let kafka: Kafka;
  const clients: ClinicianClient[] = [];
  const rows: Row[] = [];
  /** Wall time each fault's phase (steady load, fault, recovery) began. */
  const phaseStartedAt: number[] = [];
  /** Open alerts (per alerts.events) the gateway did not list after a fault, by fault. */
  const openLost = new Map<number, string[]>();

  const env = (ports: Record<PipelineApp, number>): NodeJS.ProcessEnv => ({
    ...process.env,
    VIGIL_KAFKA_BROKERS: stack.kafkaBrokers,
    VIGIL_REDIS_URL: stack.redisUrl,
    VIGIL_MQTT_URL: stack.mqttUrl,
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id,
    VIGIL_INGEST_INSTANCE: `${id}-ingest`,
    VIGIL_ALERTS_INSTANCE: `${id}-gw`,
    VIGIL_INGEST_PORT: String(ports.ingest),
    VIGIL_SCORER_PORT: String(ports.scorer),
    VIGIL_ALERTS_PORT: String(ports.alerts),
    VIGIL_JWT_SECRET: `secret-${id}`,
    VIGIL_METRICS_TOKEN: `metrics-${id}`,
    VIGIL_NEW_GROUPS_FROM: 'earliest',
    VIGIL_LOG_LEVEL: 'error',
  });

  const oncall = () => signToken({ sub: 'oncall', role: 'oncall', teams: [] }, `secret-${id}`);

  /** Open alerts as the gateway lists them to on-call (REST). */
  const gatewayOpen = async (): Promise<Set<string> | null> => {
    try {
      const res = await fetch(`${apps.url('alerts')}/alerts`, {
        headers: { authorization: `Bearer ${oncall()}` },
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return null;
      return new Set(((await res.json()) as AlertView[]).map((a) => a.alertId));
    } catch {
      return null;
    }
  };

  /** Every record of a topic on the private Kafka, read from the beginning to its current end. */
  /** When Kafka appended each record readAll returned (its timestamp), by record. */
  const writtenAt = new WeakMap<object, number>();
  const readAll = async <T>(topic: (typeof TOPICS)[keyof typeof TOPICS]): Promise<T[]> => {
    const physical = physicalTopic(`${id}.`, topic);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(physical).finally(() => admin.disconnect());
    const target = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
    const records: T[] = [];
    const reached = new Map<number, bigint>();
    const consumer = kafka.consumer({ groupId: uniqueId(`${id}.reader`), maxBytes: 16 * 1024 * 1024 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: physical, fromBeginning: true });
      await consumer.run({
        eachBatch: ({ batch }) => {
          for (const m of batch.messages)
            if (m.value) {
              const value = JSON.parse(m.value.toString()) as T;
              writtenAt.set(value as object, Number(m.timestamp));
              records.push(value);
            }
          reached.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
          return Promise.resolve();
        },
      });
      await waitFor(
        `${topic} read to its end`,
        () => [...target].every(([p, high]) => high === 0n || (reached.get(p) ?? 0n) >= high),
        120_000,
      );
    } finally {
      await consumer.disconnect();
    }
    return records;
  };

  const samplesEnd = async (): Promise<number> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(physicalTopic(`${id}.`, TOPICS.samples));
      return ends.reduce((n, e) => n + Number(e.high), 0);
    } catch {
      return -1;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  /** Ingest dead-lettered nothing but duplicates in the last 2 s (a lost registry: unknown_device). */
  const ingestRefusingNothing = async (): Promise<boolean> => {
    const refused = async () =>
      metricSum(await apps.metrics('ingest'), 'vigil_ingest_deadletters_total', /reason="(?!duplicate")/);
    try {
      const before = await refused();
      await delay(2000);
      return (await refused()) === before;
    } catch {
      return false;
    }
  };

  /** Not resolved per alerts.events: the alerts the gateway must list. */
  const kafkaOpen = (events: readonly AlertEvent[]): Set<string> => {
    const last = new Map<string, AlertEvent>();
    for (const e of events) last.set(e.alertId, e);
    return new Set([...last.values()].filter((e) => e.state !== 'resolved').map((e) => e.alertId));
  };

  beforeAll(async () => {
    stack = await PrivateStack.up(id);
    kafka = new Kafka({ clientId: id, brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const ports = { ingest: await freePort(), scorer: await freePort(), alerts: await freePort() };
    apps = new AppProcesses({
      command: (app) => [process.execPath, join(__dirname, '..', 'integration', 'app-process.js'), app],
      env: env(ports),
      ports,
    });
    const settings = testSettings(id, {
      VIGIL_KAFKA_BROKERS: stack.kafkaBrokers,
      VIGIL_REDIS_URL: stack.redisUrl,
      VIGIL_MQTT_URL: stack.mqttUrl,
    });
    await enrolDevices(settings, DEVICES, 7);
    await apps.startAll(180_000);
    const url = `ws://127.0.0.1:${ports.alerts}/ws`;
    const token = (sub: string, role: string, teams: string[]) =>
      signToken({ sub, role: role as 'clinician', teams }, `secret-${id}`);
    clients.push(
      new ClinicianClient('on-call', url, token('oncall', 'oncall', [])),
      new ClinicianClient('team-a', url, token('nurse-a', 'clinician', ['team-a'])),
      new ClinicianClient('team-b', url, token('nurse-b', 'clinician', ['team-b'])),
    );
    for (const c of clients) c.open();
    await waitFor('clinicians greeted', () => clients.every((c) => c.hellos > 0), 30_000);
    // Measurement time starts in the past, so the sped-up run stays behind the clock.
    const startMs = Math.floor((Date.now() - 2 * 3600_000) / 1000) * 1000;
    load = await SteadyLoad.connect({ url: stack.mqttUrl, devices: DEVICES, seed: 7, speed: SPEED, startMs });
    load.start();
  }, 300_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await load?.stop().catch(() => undefined);
    await apps?.stopAll().catch(() => undefined);
    stack?.down();
  }, 120_000);

  const redis = async (command: 'flushall'): Promise<void> => {
    const r = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      await r.call(command);
    } finally {
      r.disconnect();
    }
  };
  const killAndRestart = (app: PipelineApp) => async () => {
    await apps.kill(app, 'SIGKILL');
    apps.start(app); // at once, as a supervisor would: the dead member is still in its group
  };
  const faults: Fault[] = [
    { name: 'SIGKILL ingest', inject: killAndRestart('ingest') },
    { name: 'SIGKILL scorer', inject: killAndRestart('scorer') },
    {
      name: 'SIGKILL alerts gateway (3 clinicians connected)',
      inject: killAndRestart('alerts'),
      gateway: true,
    },
    {
      name: 'Kafka down 30 s',
      inject: async () => {
        await stack.stopKafka();
        await delay(KAFKA_OUTAGE_MS);
        stack.run('up');
      },
    },
    {
      name: 'Mosquitto restarted',
      inject: async () => {
        await stack.stopMosquitto();
        stack.run('up');
      },
    },
    { name: 'Redis FLUSHALL', inject: () => redis('flushall'), settleMs: REGISTRY_CACHE_MS + 5000 },
    {
      name: 'Redis restarted (empty)',
      settleMs: REGISTRY_CACHE_MS + 5000,
      inject: async () => {
        await stack.stopRedis();
        stack.run('up');
      },
    },
  ];

  it('loses no sample, repeats no sample or alert, and keeps every open alert through each fault', async () => {
    const duplicatesNow = (): number => clients.reduce((n, c) => n + c.duplicates, 0);
    for (const [i, fault] of faults.entries()) {
      const running = load as SteadyLoad;
      running.phase = i;
      const duplicatesBefore = duplicatesNow();
      await delay(STEADY_MS);
      phaseStartedAt[i] = Date.now();
      const injectedAt = Date.now();
      await fault.inject();
      const clearedAt = Date.now();
      if (fault.settleMs) await delay(fault.settleMs);
      const endBefore = await samplesEnd();
      // Not recovered within the bound: the row says so (and the suite fails), the next faults still run.
      const recovered = await waitFor(
        `recovery from ${fault.name}`,
        async () =>
          (await apps.allHealthy()) &&
          (await samplesEnd()) > endBefore &&
          (await ingestRefusingNothing()) &&
          clients.every((c) => c.connected && (!fault.gateway || c.lastHelloAt > clearedAt)),
        RECOVERY_BOUND_MS,
      ).then(
        () => true,
        () => false,
      );
      const recoveredAt = Date.now();
      // The gateway lists every alert alerts.events says is open (given a moment to apply the newest).
      const missing = await waitFor(
        `open alerts after ${fault.name}`,
        async () => {
          const open = await gatewayOpen();
          if (!open) return false;
          const stillOpen = kafkaOpen(await readAll<AlertEvent>(TOPICS.alerts));
          const absent = [...stillOpen].filter((a) => !open.has(a));
          return absent.length === 0 ? absent : false;
        },
        30_000,
      ).catch(async () => {
        const open = (await gatewayOpen()) ?? new Set<string>();
        return [...kafkaOpen(await readAll<AlertEvent>(TOPICS.alerts))].filter((a) => !open.has(a));
      });
      openLost.set(i, missing);
      process.stderr.write(
        `[faults] ${fault.name}: ${recovered ? `recovered ${((recoveredAt - clearedAt) / 1000).toFixed(1)} s after it cleared` : `NOT recovered within ${RECOVERY_BOUND_MS / 1000} s`}; ${missing.length} open alerts missing at the gateway\n`,
      );
      rows.push({
        fault: fault.name,
        outageS: Math.round((clearedAt - injectedAt) / 100) / 10,
        recoveryS: recovered ? Math.round((recoveredAt - clearedAt) / 100) / 10 : Number.NaN,
        samplesLost: 0,
        duplicateSamples: 0,
        duplicateAlerts: duplicatesNow() - duplicatesBefore,
        openAlertsLost: missing.length,
        alertsNotDelivered: 0,
        deadLettered: {},
        lostExamples: [],
      });
    }
    const duplicatesBefore = duplicatesNow();
    await delay(STEADY_MS);
    const running = load as SteadyLoad;
    await running.stop();
    load = undefined;
    rows[rows.length - 1].duplicateAlerts += duplicatesNow() - duplicatesBefore;

    // Everything acknowledged to a device reaches vitals.samples, once (by device, seq, ts).
    const published = running.published;
    let samples: VitalSample[] = [];
    await waitFor(
      'every published sample in vitals.samples',
      async () => {
        samples = await readAll<VitalSample>(TOPICS.samples);
        const seen = new Set(samples.map(sampleKey));
        return [...published.keys()].every((k) => seen.has(k));
      },
      120_000,
    ).catch(() => undefined); // what is still missing is counted below
    const count = new Map<string, number>();
    for (const s of samples) count.set(sampleKey(s), (count.get(sampleKey(s)) ?? 0) + 1);
    const letters = new Map<string, string>();
    for (const d of await readAll<DeadLetter>(TOPICS.deadLetter)) {
      try {
        const sample = JSON.parse(d.payload) as { seq: number; ts: number };
        letters.set(sampleKey({ deviceId: d.deviceId ?? '', seq: sample.seq, ts: sample.ts }), d.reason);
      } catch {
        // not one of the load's payloads
      }
    }
    for (const p of published.values()) {
      const n = count.get(sampleKey(p)) ?? 0;
      const row = rows[p.phase];
      if (n === 0) {
        row.samplesLost++;
        const reason = letters.get(sampleKey(p)) ?? 'nowhere';
        row.deadLettered[reason] = (row.deadLettered[reason] ?? 0) + 1;
        if (row.lostExamples.length < 5) row.lostExamples.push(`${p.deviceId} seq ${p.seq}`);
      }
      if (n > 1) row.duplicateSamples += n - 1;
    }

    // Each entitled clinician knows every alert in its final state (pushed, or in a hello after a reconnect).
    const events = await readAll<AlertEvent>(TOPICS.alerts);
    const final = new Map<string, AlertEvent>();
    for (const e of events) final.set(e.alertId, e);
    const teamOf = new Map(running.patients.map((p, k) => [p.patientId, k % 2 === 0 ? 'team-a' : 'team-b']));
    await waitFor(
      'every clinician up to date',
      () =>
        clients.every((c) =>
          [...final.values()].every((e) => {
            const entitled = c.name === 'on-call' || teamOf.get(e.patientId) === c.name;
            const seen = c.known.get(e.alertId);
            return (
              !entitled || (seen !== undefined && (seen.status === 'resolved') === (e.state === 'resolved'))
            );
          }),
        ),
      60_000,
    ).catch(() => undefined); // the table and the assertions below name what is missing
    const notDelivered = clients.flatMap((c) =>
      [...final.values()]
        .filter((e) => c.name === 'on-call' || teamOf.get(e.patientId) === c.name)
        .filter((e) => {
          const seen = c.known.get(e.alertId);
          return seen === undefined || (seen.status === 'resolved') !== (e.state === 'resolved');
        })
        .map((e) => {
          // The fault during which Kafka got the alert's last event.
          const at = writtenAt.get(e) ?? Date.now();
          const phase = phaseStartedAt.filter((t) => t <= at).length - 1;
          const row = rows[Math.max(0, phase)];
          row.alertsNotDelivered++;
          return `${c.name}: ${e.alertId} (${e.state}, during ${row.fault})`;
        }),
    );

    const header = [
      'fault',
      'outage s',
      'recovery s',
      'samples lost',
      'dup samples',
      'dup alerts',
      'open alerts lost',
      'alerts not delivered',
    ];
    const lines = [
      header,
      ...rows.map((r) =>
        [
          r.fault,
          r.outageS,
          r.recoveryS,
          r.samplesLost,
          r.duplicateSamples,
          r.duplicateAlerts,
          r.openAlertsLost,
          r.alertsNotDelivered,
        ].map(String),
      ),
    ];
    const widths = header.map((_, k) => Math.max(...lines.map((l) => l[k].length)));
    const table = lines.map((l) => l.map((c, k) => c.padEnd(widths[k])).join(' | ')).join('\n');
    process.stderr.write(
      `\nFault suite (${DEVICES} devices, ${SPEED} samples/s each; ${published.size} samples acknowledged to devices, ` +
        `${samples.length} records in vitals.samples; ${final.size} alerts, ${clients.reduce((n, c) => n + c.deliveries.length, 0)} WebSocket deliveries to 3 clinicians; ` +
        `${running.failedPublishes} device publishes retried)\n` +
        'recovery s: from the fault cleared (app restarted, service back) to every app ready, new samples in Kafka and every clinician connected\n' +
        `${table}\n` +
        rows
          .filter((r) => r.samplesLost > 0)
          .map(
            (r) =>
              `samples lost during ${r.fault}: ${Object.entries(r.deadLettered)
                .map(
                  ([why, n]) =>
                    `${n} ${why === 'nowhere' ? 'in neither vitals.samples nor vitals.deadletter' : `dead-lettered as ${why}`}`,
                )
                .join(', ')} (e.g. ${r.lostExamples.join(', ')})\n`,
          )
          .join('') +
        (notDelivered.length > 0 ? `not delivered: ${notDelivered.slice(0, 20).join(', ')}\n` : '') +
        [...openLost]
          .filter(([, m]) => m.length > 0)
          .map(([k, m]) => `open alerts missing after ${faults[k].name}: ${m.slice(0, 10).join(', ')}\n`)
          .join(''),
    );

    expect(final.size).toBeGreaterThan(0); // the load did raise alerts
    for (const r of rows)
      expect({
        fault: r.fault,
        recovered: !Number.isNaN(r.recoveryS),
        lost: r.samplesLost,
        dupSamples: r.duplicateSamples,
        dupAlerts: r.duplicateAlerts,
        openLost: r.openAlertsLost,
        notDelivered: r.alertsNotDelivered,
      }).toEqual({
        fault: r.fault,
        recovered: true,
        lost: 0,
        dupSamples: 0,
        dupAlerts: 0,
        openLost: 0,
        notDelivered: 0,
      });
  }, 1_800_000);
});
