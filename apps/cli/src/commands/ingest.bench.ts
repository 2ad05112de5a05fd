import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Command } from 'commander';
import { connectAsync, type MqttClient } from 'mqtt';
import { loadConfig, type Settings } from '@vigil/config';
import { telemetryTopic } from '@vigil/contracts';
import { removePrefixedState, repoRoot } from '@vigil/infra';
import { expireIngestSessions, mqttTlsOptions } from '@vigil/ingest';
import { validSample } from '@vigil/ingestion';
import { Random } from '@vigil/simulator';
import { openRegistry } from '@vigil/registry';
import { Output, table } from '../output';
import { positiveInteger } from '../option-parsers';

interface IngestBenchOptions {
  devices: number;
  batch: number;
  seconds: number;
  warmup: number;
  window: number;
  connections: number;
  outstanding: number;
  json?: boolean;
}

/**
 * `vigil bench ingest`: sustained samples/s from MQTT publish to Kafka acknowledgement, through
 * the real ingest app (built, in its own process) on the local Mosquitto, Kafka and Redis, with
 * everything isolated under a throw-away topic/key prefix that is removed afterwards.
 */
export function registerIngestBench(bench: Command): void {
  bench
    .command('ingest')
    .description(
      'Samples per second from MQTT to Kafka ack through one ingest instance (real Mosquitto, Kafka, Redis)',
    )
    .option('--devices <n>', 'simulated devices publishing at once', positiveInteger, 20)
    .option('--batch <n>', 'samples per MQTT message (1 = one sample a message)', positiveInteger, 10)
    .option('--seconds <s>', 'measured duration', positiveInteger, 15)
    .option('--warmup <s>', 'seconds of load before measuring', positiveInteger, 3)
    .option('--window <n>', 'QoS 1 publishes each device keeps in flight', positiveInteger, 32)
    .option(
      '--outstanding <n>',
      'messages the devices may have ahead of Kafka before they pause (closed loop)',
      positiveInteger,
      500,
    )
    .option(
      '--connections <n>',
      'MQTT connections of the ingest instance (VIGIL_INGEST_MQTT_CONNECTIONS)',
      positiveInteger,
      1,
    )
    .option('--json', 'print one JSON object as the last line')
    .action((options: IngestBenchOptions) => run(options));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The scrape credential of the ingest instance the bench starts (its /metrics needs one). */
const scrapeToken = randomBytes(24).toString('base64url');
const fetchMetrics = (url: string) =>
  fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${scrapeToken}` } });

/** Counters and the ack-latency sum/count from ingest's /metrics. */
async function scrape(
  url: string,
): Promise<{ samples: number; deadLetters: number; ackSum: number; ackCount: number }> {
  const text = await (await fetchMetrics(url)).text();
  const value = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return {
    samples: value(/^vigil_ingest_samples_total (\S+)$/gm),
    deadLetters: value(/^vigil_ingest_deadletters_total\{[^}]*\} (\S+)$/gm),
    ackSum: value(/^vigil_ingest_ack_seconds_sum (\S+)$/gm),
    ackCount: value(/^vigil_ingest_ack_seconds_count (\S+)$/gm),
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

async function run(options: IngestBenchOptions): Promise<void> {
  const out = new Output(options);
  const base = loadConfig();
  const id = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id,
    VIGIL_INGEST_INSTANCE: id,
    VIGIL_INGEST_PORT: String(port),
    VIGIL_INGEST_MQTT_CONNECTIONS: String(options.connections),
    // A bench device sends thousands of samples a second on purpose: no per-device rate limit.
    VIGIL_INGEST_RATE_PER_DEVICE: '0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_METRICS_TOKEN: scrapeToken,
  };
  const settings: Settings = loadConfig({ ...process.env, ...env });
  const entry = join(repoRoot(), 'dist', 'apps', 'ingest', 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);

  const deviceIds = Array.from({ length: options.devices }, (_, i) => `${id}-dev-${i}`);
  const open = await openRegistry(settings);
  let child: ChildProcess | null = null;
  const clients: MqttClient[] = [];
  let stopping = false;
  let poller: NodeJS.Timeout | undefined;
  try {
    for (const [i, deviceId] of deviceIds.entries()) await open.registry.enrol(deviceId, `${id}-pat-${i}`);
    out.info(
      `ingest ${id}: ${options.devices} devices × ${options.batch} sample(s)/message, ${options.window} in flight each, ${options.connections} MQTT connection(s)`,
    );

    child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor('ingest /health', async () => (await fetch(`${url}/health`)).ok, 60_000);

    const rng = new Random(1);
    let published = 0;
    // Closed loop: devices pause while more than `maxOutstanding` samples are acknowledged by the broker
    // but not yet in Kafka, so the broker's per-session queue (Mosquitto max_queued_messages) never overflows.
    const maxOutstanding = options.outstanding * options.batch;
    let produced = 0;
    poller = setInterval(() => {
      void scrape(url).then(
        (m) => (produced = m.samples + m.deadLetters),
        () => undefined,
      );
    }, 50);
    const t0 = Date.now() - 3_600_000;
    for (const deviceId of deviceIds)
      clients.push(
        await connectAsync(base.mqttUrl, {
          protocolVersion: 5,
          clientId: `${deviceId}-pub`,
          reconnectPeriod: 0,
          ...mqttTlsOptions(base),
        }),
      );
    const publishers = clients.map(async (client, d) => {
      let seq = 0;
      const inFlight = new Set<Promise<unknown>>();
      while (!stopping) {
        if (published - produced > maxOutstanding) {
          await delay(5);
          continue;
        }
        const samples = Array.from({ length: options.batch }, () => validSample(rng, seq, t0 + seq++ * 10));
        const body = JSON.stringify(options.batch === 1 ? samples[0] : { samples });
        const p = client
          .publishAsync(telemetryTopic(deviceIds[d]), body, { qos: 1 })
          .then(() => (published += options.batch));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= options.window) await Promise.race(inFlight);
      }
      await Promise.allSettled([...inFlight]);
    });

    await delay(options.warmup * 1000);
    const start = await scrape(url);
    const startedAt = performance.now();
    const perSecond: number[] = [];
    let last = start.samples;
    for (let s = 0; s < options.seconds; s++) {
      await delay(1000);
      const now = await scrape(url);
      perSecond.push(now.samples - last);
      last = now.samples;
      out.info(
        `  ${String(s + 1).padStart(3)} s: ${(now.samples - start.samples).toLocaleString('en')} samples in Kafka`,
      );
    }
    const end = await scrape(url);
    const elapsed = (performance.now() - startedAt) / 1000;
    stopping = true;
    await Promise.all(publishers);
    clearInterval(poller);
    // Everything the broker acknowledged to the devices must reach Kafka (or be explained).
    await waitFor(
      'ingest to catch up with what was published',
      async () => (await scrape(url)).samples + (await scrape(url)).deadLetters >= published,
      30_000,
    ).catch(async (error: Error) => {
      const now = await scrape(url);
      const reasons = (await (await fetchMetrics(url)).text())
        .split('\n')
        .filter((l) => l.startsWith('vigil_ingest_deadletters_total{'));
      throw new Error(
        `${error.message}: published ${published}, produced ${now.samples}, dead letters ${now.deadLetters} ${reasons.join(' ')}`,
      );
    });

    const samplesPerSecond = Math.round((end.samples - start.samples) / elapsed);
    const result = {
      samplesPerSecond,
      messagesPerSecond: Math.round(samplesPerSecond / options.batch),
      meanAckMs: Number(
        (((end.ackSum - start.ackSum) / Math.max(1, end.ackCount - start.ackCount)) * 1000).toFixed(2),
      ),
      minSecond: Math.min(...perSecond),
      maxSecond: Math.max(...perSecond),
      devices: options.devices,
      batch: options.batch,
      window: options.window,
      connections: options.connections,
      seconds: options.seconds,
      published,
      produced: (await scrape(url)).samples,
      deadLetters: end.deadLetters,
    };
    out.result(result, () =>
      table(
        [
          ['sustained samples/s (MQTT → Kafka ack)', samplesPerSecond.toLocaleString('en')],
          ['messages/s', result.messagesPerSecond.toLocaleString('en')],
          [
            'slowest / fastest second',
            `${result.minSecond.toLocaleString('en')} / ${result.maxSecond.toLocaleString('en')}`,
          ],
          ['mean receipt → ack (ms)', result.meanAckMs],
          [
            'published / produced / dead letters',
            `${published} / ${result.produced} / ${result.deadLetters}`,
          ],
        ],
        ['ingest bench', 'value'],
      ),
    );
  } finally {
    stopping = true;
    clearInterval(poller);
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await open.close();
    await cleanUp(settings);
  }
}

/** Removes the bench's ingest MQTT sessions, topics, groups and Redis keys. */
async function cleanUp(settings: Settings): Promise<void> {
  await expireIngestSessions(settings);
  await removePrefixedState(settings);
}
