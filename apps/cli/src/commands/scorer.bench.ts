import { randomBytes } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NestFactory } from '@nestjs/core';
import { type Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { loadConfig, type Settings } from '@vigil/config';
import { TOPICS, type VitalSample } from '@vigil/contracts';
import { consumerGroup, createKafka, ensureTopics, physicalTopic, removePrefixedState } from '@vigil/infra';
import { VitalsSimulator } from '@vigil/simulator';
import { Output, table } from '../output';
import { positiveInteger } from '../option-parsers';
import { progressBar } from '../progress-bar';

interface ScorerBenchOptions {
  patients: number[];
  seconds: number;
  model?: string;
  json?: boolean;
}

interface ScorerBenchCell {
  patients: number;
  samples: number;
  windows: number;
  alertEvents: number;
  /** Windows scored per second while the scorer worked through the backlog. */
  windowsPerSecond: number;
  samplesPerSecond: number;
  /** From the scorer starting to its group having committed every sample (outputs in Kafka). */
  wallSeconds: number;
  /** Resident set and V8 heap growth over the run beyond an idle instance (after a full GC), per monitored patient. */
  rssBytesPerPatient: number;
  heapBytesPerPatient: number;
}

const list = (raw: string) => raw.split(',').map((s) => positiveInteger(s.trim()));

/**
 * `vigil bench scorer`: the scorer path end to end on the local Kafka and Redis — simulated samples
 * of N patients on a throw-away topic prefix, the real scorer app (in this process, so its memory
 * can be measured after a full GC) consuming them and producing window scores and alerts until its
 * consumer group has committed every sample. Everything under the prefix is removed afterwards.
 */
export function registerScorerBench(bench: Command): void {
  bench
    .command('scorer')
    .description(
      'Windows per second through one scorer instance (Kafka samples in → scores and alerts out) and resident bytes per monitored patient, at 1k and 10k simulated patients (real Kafka, Redis)',
    )
    .option('--patients <list>', 'patients per run, comma-separated', list, [1000, 10000])
    .option(
      '--seconds <s>',
      'measurement time simulated per patient (1 Hz); the model scores a patient from its 30th minute (its normal warmed up)',
      positiveInteger,
      120,
    )
    .option('--model <dir>', 'model folder (default VIGIL_MODEL_DIR; none: the rules only)')
    .option('--json', 'print one JSON object as the last line')
    .action((options: ScorerBenchOptions) => run(options));
}

/** Retries what Kafka calls retriable (a partition's leader moving right after its topic was created). */
async function retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= 50) throw new Error(`${what}: ${String(error)}`, { cause: error });
      await delay(200);
    }
  }
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** Boots the scorer on an empty prefix until it is healthy: its memory beyond the process's before. */
async function idleInstance(settings: Settings): Promise<{ rssBytes: number; heapBytes: number }> {
  collectGarbage();
  const before = process.memoryUsage();
  const { ScorerModule } = await import('@vigil/scorer');
  const app = await NestFactory.create(ScorerModule.forRoot(settings), { logger: ['error', 'warn'] });
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error('the scorer did not become healthy in 60 s');
      await delay(100);
    }
    collectGarbage();
    const after = process.memoryUsage();
    return { rssBytes: after.rss - before.rss, heapBytes: after.heapUsed - before.heapUsed };
  } finally {
    await app.close();
  }
}

/** A full collection, so heap figures are live objects only. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function run(options: ScorerBenchOptions): Promise<void> {
  const out = new Output(options);
  const base = loadConfig();
  const model = options.model ?? base.modelDir;
  const scrapeToken = randomBytes(12).toString('hex');
  const settingsOf = (id: string) =>
    loadConfig({
      ...process.env,
      VIGIL_TOPIC_PREFIX: `${id}.`,
      VIGIL_SCORER_PORT: '0',
      VIGIL_NEW_GROUPS_FROM: 'earliest',
      VIGIL_MODEL_DIR: model,
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_METRICS_TOKEN: scrapeToken,
    });
  // What one scorer instance costs with no patient (the app, the model session, Kafka buffers): a
  // first boot loads the code, the second is measured.
  const idle = settingsOf(`bench-scorer-${randomBytes(3).toString('hex')}`);
  let instance: { rssBytes: number; heapBytes: number };
  try {
    const admin = createKafka(idle, 'bench').admin();
    await admin.connect();
    await retrying('creating the bench topics', () => ensureTopics(admin, idle.topicPrefix)).finally(() =>
      admin.disconnect(),
    );
    await idleInstance(idle);
    instance = await idleInstance(idle);
  } finally {
    await removePrefixedState(idle);
  }
  out.info(
    `One idle scorer instance: ${mb(instance.rssBytes)} MB resident, ${mb(instance.heapBytes)} MB heap (model ${model})`,
  );
  const cells: ScorerBenchCell[] = [];
  for (const patients of options.patients) {
    const settings = settingsOf(`bench-scorer-${randomBytes(3).toString('hex')}`);
    try {
      cells.push(await runOne(settings, patients, options.seconds, instance, out));
    } finally {
      await removePrefixedState(settings);
    }
  }
  out.result({ model, secondsPerPatient: options.seconds, instance, cells }, () =>
    [
      '',
      `One idle scorer instance: ${mb(instance.rssBytes)} MB resident, ${mb(instance.heapBytes)} MB heap; per patient below: growth beyond it.`,
      table(
        cells.map((c) => [
          c.patients.toLocaleString('en'),
          c.samples.toLocaleString('en'),
          c.windows.toLocaleString('en'),
          c.alertEvents,
          Math.round(c.windowsPerSecond).toLocaleString('en'),
          Math.round(c.samplesPerSecond).toLocaleString('en'),
          c.wallSeconds.toFixed(1),
          Math.round(c.rssBytesPerPatient).toLocaleString('en'),
          Math.round(c.heapBytesPerPatient).toLocaleString('en'),
        ]),
        [
          'patients',
          'samples',
          'windows',
          'alert events',
          'windows/s',
          'samples/s',
          'wall s',
          'RSS bytes/patient',
          'heap bytes/patient',
        ],
      ),
      ...(cells.length >= 2 ? [marginal(cells)] : []),
    ].join('\n'),
  );
}

/** Memory of one more patient, from the two largest runs (fixed costs cancel out). */
function marginal(cells: readonly ScorerBenchCell[]): string {
  const [a, b] = [...cells].sort((x, y) => x.patients - y.patients).slice(-2);
  const per = (f: (c: ScorerBenchCell) => number) =>
    Math.round((f(b) * b.patients - f(a) * a.patients) / (b.patients - a.patients)).toLocaleString('en');
  return (
    `\nOne more patient (${a.patients.toLocaleString('en')} → ${b.patients.toLocaleString('en')}): ` +
    `${per((c) => c.heapBytesPerPatient)} heap bytes, ${per((c) => c.rssBytesPerPatient)} resident bytes`
  );
}

async function runOne(
  settings: Settings,
  patients: number,
  seconds: number,
  instance: { rssBytes: number; heapBytes: number },
  out: Output,
): Promise<ScorerBenchCell> {
  const kafka = createKafka(settings, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  const samplesTopic = physicalTopic(settings.topicPrefix, TOPICS.samples);
  try {
    // KRaft may answer a metadata request for a just-created topic before it hosts it: retry.
    await retrying('creating the bench topics', () => ensureTopics(admin, settings.topicPrefix));
    await retrying('the new topics', () => admin.fetchTopicOffsets(samplesTopic));
    const samples = await produceSamples(kafka, samplesTopic, patients, seconds);
    out.info(
      `${patients.toLocaleString('en')} patients: ${samples.toLocaleString('en')} samples in Kafka; scoring…`,
    );

    collectGarbage();
    const before = process.memoryUsage();
    // Loaded on demand: the scorer brings the model engine's native binding.
    const { SCORER_GROUP, ScorerModule } = await import('@vigil/scorer');
    const startedAt = performance.now();
    const app = await NestFactory.create(ScorerModule.forRoot(settings), { logger: ['error', 'warn'] });
    let firstWindowAt = 0;
    let firstWindows = 0;
    let doneAt = 0;
    let last = { windows: 0, alertEvents: 0 };
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      const metrics = async () => {
        const text = await (
          await fetch(`http://127.0.0.1:${port}/metrics`, {
            headers: { authorization: `Bearer ${settings.metricsToken ?? ''}` },
          })
        ).text();
        const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
        return {
          windows: sum(/^vigil_scorer_windows_total (\S+)$/gm),
          alertEvents: sum(/^vigil_scorer_alert_events_total\{[^}]*\} (\S+)$/gm),
        };
      };
      const group = consumerGroup(settings.topicPrefix, SCORER_GROUP);
      const bar = progressBar('bench scorer', 'samples', samples);
      const high = new Map(
        (await admin.fetchTopicOffsets(samplesTopic)).map((o) => [o.partition, Number(o.high)]),
      );
      for (;;) {
        last = await metrics();
        if (firstWindowAt === 0 && last.windows > 0) {
          firstWindowAt = performance.now();
          firstWindows = last.windows;
        }
        const [committed] = await retrying('committed offsets', () =>
          admin.fetchOffsets({ groupId: group, topics: [samplesTopic] }),
        );
        const done = committed.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        bar.update(done, { status: `${last.windows.toLocaleString('en')} windows` });
        if (committed.partitions.every((p) => Number(p.offset) >= (high.get(p.partition) ?? 0))) {
          doneAt = performance.now();
          break;
        }
        if (performance.now() - startedAt > 30 * 60_000)
          throw new Error('the scorer did not finish in 30 min');
        await delay(100);
      }
      bar.stop();
      last = await metrics();
      collectGarbage();
      const after = process.memoryUsage();
      const busySeconds = (doneAt - firstWindowAt) / 1000;
      return {
        patients,
        samples,
        windows: last.windows,
        alertEvents: last.alertEvents,
        windowsPerSecond: (last.windows - firstWindows) / busySeconds,
        samplesPerSecond: samples / busySeconds,
        wallSeconds: (doneAt - startedAt) / 1000,
        rssBytesPerPatient: (after.rss - before.rss - instance.rssBytes) / patients,
        heapBytesPerPatient: (after.heapUsed - before.heapUsed - instance.heapBytes) / patients,
      };
    } finally {
      await app.close();
    }
  } finally {
    await admin.disconnect();
  }
}

/** Simulated vitals (libs/simulator, seed 1) of every patient, second by second, keyed by patient. */
async function produceSamples(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  patients: number,
  seconds: number,
): Promise<number> {
  const startMs = Date.now() - (seconds + 60) * 1000;
  const sim = new VitalsSimulator({ seed: 1, patients, startMs, episodes: 'default' });
  // The partitioner ingest uses (murmur2, as the Java client): a patient's samples on its partition.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const bar = progressBar('produce samples', 's', seconds);
  let count = 0;
  try {
    const inFlight = new Set<Promise<unknown>>();
    let messages: { key: string; value: string }[] = [];
    const flush = async () => {
      const p = producer.send({ topic, acks: -1, messages });
      messages = [];
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    };
    const receivedAt = Date.now();
    for (let s = 0; s < seconds; s++) {
      for (const r of sim.tick()) {
        const sample: VitalSample = {
          v: 1,
          patientId: r.patientId,
          deviceId: r.deviceId,
          ts: r.ts,
          seq: r.seq,
          receivedAt,
          ...r.values,
        };
        messages.push({ key: r.patientId, value: JSON.stringify(sample) });
        count++;
        if (messages.length >= 5000) await flush();
      }
      bar.update(s + 1, { status: `${count.toLocaleString('en')} samples` });
    }
    if (messages.length > 0) await flush();
    await Promise.all(inFlight);
  } finally {
    bar.stop();
    await producer.disconnect();
  }
  return count;
}
