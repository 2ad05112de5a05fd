import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { type Settings } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import { signToken } from '@vigil/alerting';
import { consumerGroup, physicalTopic } from '@vigil/infra';
import { openRegistry } from '@vigil/registry';
import { telemetryPayload, VitalsSimulator, type SimulatedReading } from '@vigil/simulator';
import { DeviceFleet } from '../simulate/device-fleet';
import { AppProcesses, metricSum, PIPELINE_APPS, pidListeningOn, processCpuSeconds } from './app-processes';
import { ClinicianClient, type Delivery } from './clinician-client';
import {
  AlertEventClock,
  type HistogramBuckets,
  histogramBuckets,
  histogramQuantile,
  type Percentiles,
  percentilesOf,
} from './hop-latency';
import { percentile } from './percentile';

export interface E2eBenchOptions {
  /** Devices per step, e.g. [200, 1000, 2000]. */
  readonly steps: readonly number[];
  /** Samples per wall-clock second per device (measurement time runs this much faster). */
  readonly rate: number;
  /** Samples per MQTT message. */
  readonly batch: number;
  readonly warmupSeconds: number;
  readonly stepSeconds: number;
  readonly seed: number;
  /** Unacknowledged QoS 1 publishes per device before the device waits. */
  readonly inflight: number;
  /**
   * Spread the devices' publishes over each message interval, as devices with clocks of their own
   * do; otherwise (the default) all devices publish in the same instant, the worst case: every
   * hop then takes a whole second's data in one burst.
   */
  readonly stagger?: boolean;
}

export interface StepResult {
  devices: number;
  offeredPerSecond: number;
  /** Samples into Kafka per second (ingest), over the measured window. */
  ingestedPerSecond: number;
  /** Samples consumed and committed by the scorer per second, over the measured window. */
  scoredPerSecond: number;
  /** The scorer's consumer lag (records) at the start and end of the measured window. */
  lagStart: number;
  lagEnd: number;
  /** Cores used per process over the measured window (CPU seconds / wall seconds). */
  cpu: Record<string, number>;
  alertsDelivered: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** Where the alert latency goes, hop by hop (see `HopLatencies`). */
  hops: HopLatencies;
  published: number;
  inKafka: number;
  deadLetters: number;
  /** Dead letters by reason (duplicates are redeliveries ingest recognised, not lost samples). */
  deadLetterReasons: Record<string, number>;
  scored: number;
  /** Published but neither in Kafka nor dead-lettered once the drain bound (5 min) passed. */
  lost: number;
  /** Seconds after publishing stopped until Kafka had every sample and the scorer had read them. */
  drainSeconds: number;
  wallSeconds: number;
}

/**
 * The alert latency split by hop. Per alert: until the scorer's alert event was in Kafka, then
 * Kafka → alerts gateway → WebSocket. Over every sample (the apps' histograms, so "at most" the
 * bucket bound): MQTT receipt → Kafka ack at ingest, and ingest → the scorer done with its batch.
 */
export interface HopLatencies {
  /** Bench handing the closing sample to the broker → the alert event appended to Kafka. */
  toAlertEventMs: Percentiles;
  /** Alert event in Kafka → the on-call WebSocket receiving the alert. */
  alertEventToSocketMs: Percentiles;
  /** Every sample: MQTT receipt → Kafka acknowledged (ingest), upper bucket bounds. */
  ingestAckMsAtMost: { p50: number | null; p99: number | null };
  /** Every sample: ingest accepted → the scorer finished the batch holding it, upper bucket bounds. */
  ingestToScoredMsAtMost: { p50: number | null; p99: number | null };
}

export interface E2eProgress {
  readonly step: number;
  readonly devices: number;
  readonly phase: 'warm-up' | 'measure' | 'drain';
  readonly second: number;
  readonly of: number;
  readonly ingestedPerSecond: number;
  readonly lag: number;
}

/** Where the benchmark runs: the apps (built), the local stack, a prefix of its own. */
export interface E2eBenchEnvironment {
  readonly settings: Settings;
  readonly apps: AppProcesses;
  readonly id: string;
  readonly jwtSecret: string;
  readonly metricsToken: string;
}

export const newBenchId = (): string => `bench-e2e-${randomBytes(3).toString('hex')}`;

/**
 * `vigil bench e2e`: for each step, N simulated devices publish over MQTT to the broker, through
 * ingest, Kafka and the scorer to the alerts gateway and three clinicians' WebSockets (on-call and
 * one per care team). A step warms up, then is measured; then publishing stops and the pipeline
 * drains, so published, in Kafka and scored can be compared sample for sample.
 */
export async function runE2eBench(
  env: E2eBenchEnvironment,
  options: E2eBenchOptions,
  progress: (p: E2eProgress) => void,
): Promise<StepResult[]> {
  const { settings, apps, id } = env;
  const kafka = new Kafka({ clientId: id, brokers: [...settings.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const samplesTopic = physicalTopic(settings.topicPrefix, TOPICS.samples);
  const scorerGroup = consumerGroup(settings.topicPrefix, 'scorer');
  const offsets = async (): Promise<{ end: number; committed: number }> => {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(samplesTopic),
      admin.fetchOffsets({ groupId: scorerGroup, topics: [samplesTopic] }),
    ]);
    const end = ends.reduce((n, e) => n + Number(e.high), 0);
    const done = committed.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    return { end, committed: done };
  };
  const ingestCounts = async (): Promise<{
    samples: number;
    deadLetters: number;
    reasons: Record<string, number>;
  }> => {
    const text = await apps.metrics('ingest');
    const reasons: Record<string, number> = {};
    for (const m of text.matchAll(/^vigil_ingest_deadletters_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm))
      reasons[m[1]] = (reasons[m[1]] ?? 0) + Number(m[2]);
    return {
      samples: metricSum(text, 'vigil_ingest_samples_total'),
      deadLetters: metricSum(text, 'vigil_ingest_deadletters_total'),
      reasons,
    };
  };
  const services = {
    kafka: Number(settings.kafkaBrokers[0].split(':')[1] ?? 9092),
    mosquitto: Number(new URL(settings.mqttUrl).port || 1883),
    redis: Number(new URL(settings.redisUrl).port || 6379),
  };
  const hopHistograms = async (): Promise<HopHistograms> => {
    const [ingest, scorer] = await Promise.all([apps.metrics('ingest'), apps.metrics('scorer')]);
    return {
      ingestAck: histogramBuckets(ingest, 'vigil_ingest_ack_seconds'),
      ingestToScored: histogramBuckets(scorer, 'vigil_scorer_ingest_to_score_seconds'),
    };
  };
  const cpuNow = (): Record<string, number> => {
    const cpu: Record<string, number> = {};
    for (const app of PIPELINE_APPS) cpu[app] = apps.cpuSeconds(app);
    for (const [name, port] of Object.entries(services)) {
      const pid = pidListeningOn(port);
      cpu[name] = pid === null ? 0 : processCpuSeconds(pid);
    }
    const self = process.cpuUsage();
    cpu['bench (devices, clients)'] = (self.user + self.system) / 1e6;
    return cpu;
  };

  const token = (sub: string, role: 'oncall' | 'clinician', teams: string[]) =>
    signToken({ sub, role, teams }, env.jwtSecret);
  const wsUrl = `${apps.url('alerts').replace('http', 'ws')}/ws`;
  /**
   * Measurement time of each tick → when each device's message holding it was handed to its MQTT
   * client (wall ms, by device index): a flush of thousands of devices takes a while, so one time
   * per flush would charge the later devices' wait in the publishing loop to the pipeline.
   */
  let publishedAt = new Map<number, Float64Array>();
  /** Patient id → device index in the current step. */
  let deviceIndex = new Map<string, number>();
  /** Device and patient ids of the current step start with it (steps' measurement times may overlap). */
  let currentTag = '';
  const latencies: number[] = [];
  /** Per measured alert: its id, when its closing sample was handed to the broker, when it arrived. */
  const timed: { alertId: string; sent: number; receivedAt: number }[] = [];
  let delivered = 0;
  const firstSeen = new Set<string>();
  const onAlert = (d: Delivery) => {
    if (d.alert.status !== 'open' || firstSeen.has(d.alert.alertId)) return;
    firstSeen.add(d.alert.alertId);
    delivered++;
    // A raise's updatedAt is the measurement time of the sample that completed its window.
    const device = d.alert.patientId.startsWith(`${currentTag}-`)
      ? deviceIndex.get(d.alert.patientId)
      : undefined;
    const sent = device === undefined ? undefined : publishedAt.get(d.alert.updatedAt)?.[device];
    if (sent === undefined) return;
    latencies.push(d.receivedAt - sent);
    timed.push({ alertId: d.alert.alertId, sent, receivedAt: d.receivedAt });
  };
  const alertClock = await AlertEventClock.start(
    kafka,
    physicalTopic(settings.topicPrefix, TOPICS.alerts),
    `${id}-alert-clock`,
  );
  const clients = [
    new ClinicianClient('on-call', wsUrl, token('bench-oncall', 'oncall', []), onAlert),
    new ClinicianClient('team-a', wsUrl, token('bench-nurse-a', 'clinician', ['team-a'])),
    new ClinicianClient('team-b', wsUrl, token('bench-nurse-b', 'clinician', ['team-b'])),
  ];
  for (const c of clients) c.open();
  const results: StepResult[] = [];
  try {
    const deadline = Date.now() + 30_000;
    while (!clients.every((c) => c.hellos > 0)) {
      if (Date.now() > deadline) throw new Error('the clinicians’ WebSockets were not greeted within 30 s');
      await delay(100);
    }
    for (const [k, devices] of options.steps.entries()) {
      const tag = `${id}-s${k + 1}`;
      const wall = options.warmupSeconds + options.stepSeconds;
      // Measurement time runs `rate` times faster than the clock; starting early keeps it in the past.
      const startMs = Math.floor((Date.now() - (wall + 120) * 1000 * options.rate) / 1000) * 1000;
      const sim = new VitalsSimulator({
        seed: options.seed + k,
        patients: devices,
        startMs,
        episodes: 'demo',
      });
      const deviceOf = (r: SimulatedReading) => `${tag}-${r.deviceId}`;
      const open = await openRegistry(settings);
      try {
        for (const [i, p] of sim.patients.entries()) {
          const enrolled = await open.registry.enrol(`${tag}-${p.deviceId}`, `${tag}-${p.patientId}`, {
            careTeams: [i % 2 === 0 ? 'team-a' : 'team-b'],
          });
          if (!enrolled.ok) throw new Error(`could not enrol a bench device: ${enrolled.refusal.message}`);
        }
      } finally {
        await open.close();
      }
      // Thousands of connections to a busy broker: a connect that times out is tried again.
      const fleet = await connectFleet(() =>
        DeviceFleet.connect({
          url: settings.mqttUrl,
          deviceIds: sim.patients.map((p) => `${tag}-${p.deviceId}`),
          passwords: {},
          maxInFlight: options.inflight,
        }),
      );
      publishedAt = new Map();
      deviceIndex = new Map(sim.patients.map((p, d) => [`${tag}-${p.patientId}`, d]));
      currentTag = tag;
      latencies.length = 0;
      timed.length = 0;
      delivered = 0;
      let published = 0;
      let stopping = false;
      const stepStart = await offsets();
      const ingestAtStart = await ingestCounts();
      const t0 = performance.now();
      // Every device sends one message of `batch` samples every `batch` ticks, all devices in step.
      let ticks: SimulatedReading[][] = [];
      const flush = async () => {
        if (ticks.length === 0) return;
        const at = new Float64Array(devices);
        for (const readings of ticks) publishedAt.set(readings[0]?.ts ?? 0, at);
        const start = performance.now();
        const intervalMs = (ticks.length * 1000) / options.rate;
        for (let d = 0; d < devices; d++) {
          if (options.stagger) {
            // Device d publishes at its own phase of the interval (a little inside it, to keep pace).
            const ahead = start + ((d / devices) * intervalMs * 9) / 10 - performance.now();
            if (ahead > 1) await delay(ahead);
          }
          await fleet.publish(deviceOf(ticks[0][d]), telemetryPayload(ticks.map((t) => t[d])));
          at[d] = Date.now();
          published += ticks.length;
        }
        ticks = [];
      };
      const publisher = (async () => {
        for (let tick = 0; !stopping; tick++) {
          const ahead = t0 + (tick * 1000) / options.rate - performance.now();
          if (ahead > 1) await delay(ahead);
          ticks.push(sim.tick());
          if (ticks.length >= options.batch) await flush();
        }
        await flush();
      })();

      let last = { count: ingestAtStart.samples, at: performance.now() };
      const tick = async (phase: E2eProgress['phase'], second: number, of: number) => {
        await delay(1000);
        const now = await ingestCounts();
        const { end, committed } = await offsets();
        const at = performance.now();
        const ingestedPerSecond = Math.round(((now.samples - last.count) * 1000) / (at - last.at));
        progress({ step: k + 1, devices, phase, second, of, ingestedPerSecond, lag: end - committed });
        last = { count: now.samples, at };
      };
      // Phases last wall-clock seconds (a progress tick can take longer than a second on a busy machine).
      const phaseFor = async (phase: E2eProgress['phase'], seconds: number) => {
        const from = performance.now();
        while (performance.now() - from < seconds * 1000)
          await tick(phase, Math.min(seconds, Math.round((performance.now() - from) / 1000) + 1), seconds);
      };
      await phaseFor('warm-up', options.warmupSeconds);
      const before = {
        histograms: await hopHistograms(),
        ingest: await ingestCounts(),
        offsets: await offsets(),
        cpu: cpuNow(),
        at: performance.now(),
      };
      const deliveredBefore = delivered;
      const latenciesBefore = latencies.length;
      const timedBefore = timed.length;
      await phaseFor('measure', options.stepSeconds);
      const after = {
        histograms: await hopHistograms(),
        ingest: await ingestCounts(),
        offsets: await offsets(),
        cpu: cpuNow(),
        at: performance.now(),
      };
      stopping = true;
      await publisher;
      await fleet.close(); // every PUBACK in
      // Drain: everything acknowledged to a device reaches Kafka, and the scorer reads all of it.
      const drainStart = Date.now();
      for (let s = 1; ; s++) {
        const counts = await ingestCounts();
        const { end, committed } = await offsets();
        const inKafka = counts.samples - ingestAtStart.samples;
        const dead = counts.deadLetters - ingestAtStart.deadLetters;
        if (inKafka + dead >= published && committed >= end) break;
        if (Date.now() - drainStart > 300_000) break; // reported as lost below
        progress({
          step: k + 1,
          devices,
          phase: 'drain',
          second: s,
          of: 0,
          ingestedPerSecond: Math.round(
            ((counts.samples - last.count) * 1000) / (performance.now() - last.at),
          ),
          lag: end - committed,
        });
        last = { count: counts.samples, at: performance.now() };
        await delay(1000);
      }
      const final = await ingestCounts();
      const finalOffsets = await offsets();
      const seconds = (after.at - before.at) / 1000;
      const cpu: Record<string, number> = {};
      for (const name of Object.keys(after.cpu))
        cpu[name] = round((after.cpu[name] - before.cpu[name]) / seconds, 2);
      const stepLatencies = latencies.slice(latenciesBefore).sort((a, b) => a - b);
      const inKafka = final.samples - ingestAtStart.samples;
      const deadLetters = final.deadLetters - ingestAtStart.deadLetters;
      const scored = finalOffsets.committed - stepStart.committed;
      const hops = hopLatencies(timed.slice(timedBefore), alertClock, before.histograms, after.histograms);
      results.push({
        devices,
        offeredPerSecond: devices * options.rate,
        ingestedPerSecond: Math.round((after.ingest.samples - before.ingest.samples) / seconds),
        scoredPerSecond: Math.round((after.offsets.committed - before.offsets.committed) / seconds),
        lagStart: before.offsets.end - before.offsets.committed,
        lagEnd: after.offsets.end - after.offsets.committed,
        cpu,
        alertsDelivered: delivered - deliveredBefore,
        latencyMs: {
          p50: percentile(stepLatencies, 0.5),
          p95: percentile(stepLatencies, 0.95),
          p99: percentile(stepLatencies, 0.99),
          max: stepLatencies.at(-1) ?? null,
        },
        hops,
        published,
        inKafka,
        deadLetters,
        deadLetterReasons: Object.fromEntries(
          Object.entries(final.reasons)
            .map(([why, n]) => [why, n - (ingestAtStart.reasons[why] ?? 0)] as const)
            .filter(([, n]) => n > 0),
        ),
        scored,
        drainSeconds: Math.round((Date.now() - drainStart) / 1000),
        lost: Math.max(0, published - inKafka - deadLetters),
        wallSeconds: round((performance.now() - t0) / 1000, 1),
      });
    }
  } finally {
    for (const c of clients) c.close();
    await alertClock.stop();
    await admin.disconnect();
  }
  return results;
}

interface HopHistograms {
  readonly ingestAck: HistogramBuckets;
  readonly ingestToScored: HistogramBuckets;
}

function hopLatencies(
  timed: readonly { alertId: string; sent: number; receivedAt: number }[],
  clock: AlertEventClock,
  before: HopHistograms,
  after: HopHistograms,
): HopLatencies {
  const toEvent: number[] = [];
  const toSocket: number[] = [];
  for (const t of timed) {
    const at = clock.at(t.alertId);
    if (at === undefined) continue;
    toEvent.push(at - t.sent);
    toSocket.push(t.receivedAt - at);
  }
  const ms = (s: number | null) => (s === null ? null : s * 1000);
  const quantiles = (key: keyof HopHistograms) => ({
    p50: ms(histogramQuantile(before[key], after[key], 0.5)),
    p99: ms(histogramQuantile(before[key], after[key], 0.99)),
  });
  return {
    toAlertEventMs: percentilesOf(toEvent),
    alertEventToSocketMs: percentilesOf(toSocket),
    ingestAckMsAtMost: quantiles('ingestAck'),
    ingestToScoredMsAtMost: quantiles('ingestToScored'),
  };
}

async function connectFleet(connect: () => Promise<DeviceFleet>): Promise<DeviceFleet> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      if (attempt >= 3) throw error;
      await delay(2000);
    }
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
