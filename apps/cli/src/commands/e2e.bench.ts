import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '@vigil/config';
import { removePrefixedState, repoRoot } from '@vigil/infra';
import { expireIngestSessions } from '@vigil/ingest';
import { type CpuProfile, type ProfileSummary, summarizeCpuProfile } from './e2e-bench/cpu-profile';
import {
  AppProcesses,
  e2eChart,
  type E2eProgress,
  newBenchId,
  PIPELINE_APPS,
  type PipelineApp,
  runE2eBench,
  type StepResult,
} from './e2e-bench';
import { Output, table } from '../output';
import { positiveInteger, positiveNumber } from '../option-parsers';

interface E2eBenchCliOptions {
  steps: number[];
  rate: number;
  batch?: number;
  warmup: number;
  seconds: number;
  seed: number;
  inflight: number;
  stagger?: boolean;
  plot: string;
  cpuProf?: string;
  json?: boolean;
}

const deviceSteps = (raw: string): number[] => {
  const steps = raw.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError('expected device counts, e.g. 200,1000,2000');
  return steps;
};

/**
 * `vigil bench e2e`: the whole pipeline on this machine — simulated devices → Mosquitto → ingest →
 * Kafka → scorer → alerts → clinicians' WebSockets — at rising numbers of devices. The logic lives
 * in ./e2e-bench (shared with the fault suite); this file is options, output and clean-up.
 */
export function registerE2eBench(bench: Command): void {
  bench
    .command('e2e')
    .description(
      'Devices → MQTT → ingest → Kafka → scorer → alerts → WebSocket at rising load: samples/s, CPU per process, lag, alert delivery latency',
    )
    .option('--steps <list>', 'devices per step, comma-separated', deviceSteps, [200, 500, 1000, 2000])
    .option(
      '--rate <n>',
      'samples per second each device sends (measurement time runs this much faster)',
      positiveNumber,
      5,
    )
    .option(
      '--batch <n>',
      'samples per MQTT message (default: the rate, one message a second)',
      positiveInteger,
    )
    .option('--warmup <s>', 'seconds of load before each step is measured', positiveInteger, 10)
    .option('--seconds <s>', 'measured seconds per step', positiveInteger, 60)
    .option('--seed <n>', 'simulator seed', positiveInteger, 1)
    .option('--inflight <n>', 'unacknowledged publishes per device before it waits', positiveInteger, 16)
    .option(
      '--stagger',
      'spread the devices over each message interval, as independent devices are (default: all in the same instant, the worst case)',
    )
    .option('--plot <file>', 'SVG chart of the steps', 'bench-e2e.svg')
    .option(
      '--cpu-prof <dir>',
      'run each app under node --cpu-prof, write its .cpuprofile into <dir> and print where its CPU went',
    )
    .option('--json', 'print one JSON object as the last line')
    .action((options: E2eBenchCliOptions) => run(options));
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function run(options: E2eBenchCliOptions): Promise<void> {
  const out = new Output(options);
  const id = newBenchId();
  const batch = options.batch ?? Math.max(1, Math.round(options.rate));
  const ports = { ingest: await freePort(), scorer: await freePort(), alerts: await freePort() };
  const jwtSecret = randomBytes(24).toString('base64url');
  const metricsToken = randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id,
    VIGIL_INGEST_INSTANCE: id,
    VIGIL_ALERTS_INSTANCE: id,
    VIGIL_INGEST_PORT: String(ports.ingest),
    VIGIL_SCORER_PORT: String(ports.scorer),
    VIGIL_ALERTS_PORT: String(ports.alerts),
    VIGIL_JWT_SECRET: jwtSecret,
    VIGIL_METRICS_TOKEN: metricsToken,
    VIGIL_NEW_GROUPS_FROM: 'earliest',
    // The per-device limit stays on, above what a bench device sends.
    VIGIL_INGEST_RATE_PER_DEVICE: String(Math.max(10, Math.ceil(options.rate * 2))),
    VIGIL_LOG_LEVEL: 'warn',
  };
  const settings = loadConfig({ ...process.env, ...env });
  const dist = (app: string) => join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js');
  for (const app of ['ingest', 'scorer', 'alerts'])
    if (!existsSync(dist(app))) throw new Error(`${dist(app)} is missing: run npm run build first`);
  const profileDir = options.cpuProf === undefined ? undefined : resolve(options.cpuProf);
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const apps = new AppProcesses({
    command: (app) =>
      profileDir
        ? [
            process.execPath,
            '--cpu-prof',
            '--cpu-prof-dir',
            profileDir,
            `--cpu-prof-name=${app}.cpuprofile`,
            dist(app),
          ]
        : [process.execPath, dist(app)],
    env: { ...process.env, ...env },
    ports,
  });
  out.info(
    `bench e2e ${id}: steps ${options.steps.join(', ')} devices × ${options.rate} samples/s (${batch} a message, ${options.stagger ? 'staggered over each interval' : 'all devices in the same instant'}), ` +
      `${options.warmup} s warm-up + ${options.seconds} s measured each; ${settings.mqttUrl}, Kafka ${settings.kafkaBrokers.join(',')}`,
  );
  let lastLine = 0;
  const progress = (p: E2eProgress) => {
    const now = Date.now();
    if (now - lastLine < 5000 && p.second !== p.of) return;
    lastLine = now;
    const where = p.phase === 'drain' ? `drain ${p.second} s` : `${p.phase} ${p.second}/${p.of} s`;
    out.info(
      `  step ${p.step} (${p.devices} devices) ${where}: ${p.ingestedPerSecond.toLocaleString('en')} samples/s into Kafka, scorer lag ${p.lag.toLocaleString('en')}`,
    );
  };
  let results: StepResult[] = [];
  try {
    await apps.startAll(120_000);
    results = await runE2eBench(
      { settings, apps, id, jwtSecret, metricsToken },
      {
        steps: options.steps,
        rate: options.rate,
        batch,
        warmupSeconds: options.warmup,
        stepSeconds: options.seconds,
        seed: options.seed,
        inflight: options.inflight,
        stagger: options.stagger ?? false,
      },
      progress,
    );
  } finally {
    await apps.stopAll();
    await expireIngestSessions(settings).catch(() => undefined);
    await removePrefixedState(settings);
  }
  const profiles = profileDir ? await readProfiles(profileDir) : undefined;
  const plot = resolve(options.plot);
  await writeFile(plot, e2eChart(results));
  const ms = (x: number | null) => (x === null ? '–' : x === Infinity ? '∞' : String(Math.round(x)));
  const processes = Object.keys(results[0]?.cpu ?? {});
  out.result(
    { id, rate: options.rate, batch, stepSeconds: options.seconds, plot, steps: results, profiles },
    () =>
      [
        table(
          results.map((r) => [
            r.devices,
            r.offeredPerSecond.toLocaleString('en'),
            r.ingestedPerSecond.toLocaleString('en'),
            r.scoredPerSecond.toLocaleString('en'),
            `${r.lagStart.toLocaleString('en')} → ${r.lagEnd.toLocaleString('en')}`,
            `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} / ${ms(r.latencyMs.p99)} (${r.alertsDelivered})`,
            `${r.published} / ${r.inKafka} / ${r.scored}`,
            Object.entries(r.deadLetterReasons)
              .map(([why, n]) => `${n} ${why}`)
              .join(', ') || '0',
            r.drainSeconds,
            r.lost,
          ]),
          [
            'devices',
            'offered/s',
            'into Kafka/s',
            'scored/s',
            'scorer lag',
            'alert p50/p95/p99 ms (alerts)',
            'published / in Kafka / scored',
            'dead letters',
            'drain s',
            'lost',
          ],
        ),
        '',
        table(
          results.map((r) => [r.devices, ...processes.map((p) => r.cpu[p].toFixed(2))]),
          ['CPU (cores)', ...processes],
        ),
        '',
        table(
          results.map((r) => [
            r.devices,
            `${ms(r.hops.toAlertEventMs.p50)} / ${ms(r.hops.toAlertEventMs.p99)}`,
            `${ms(r.hops.alertEventToSocketMs.p50)} / ${ms(r.hops.alertEventToSocketMs.p99)}`,
            `≤ ${ms(r.hops.ingestAckMsAtMost.p50)} / ≤ ${ms(r.hops.ingestAckMsAtMost.p99)}`,
            `≤ ${ms(r.hops.ingestToScoredMsAtMost.p50)} / ≤ ${ms(r.hops.ingestToScoredMsAtMost.p99)}`,
          ]),
          [
            'hops (p50 / p99 ms)',
            'sample → alert event in Kafka',
            'alert event → WebSocket',
            'every sample: MQTT → Kafka ack',
            'every sample: ingest → scored',
          ],
        ),
        '',
        `Latency: from the device handing the MQTT broker the sample that completed an alerting window to the on-call WebSocket receiving the alert; the hops split it at the alert event's Kafka timestamp, and the per-sample columns are bucket bounds of the apps' histograms. Plot: ${plot}`,
        ...(profiles ? ['', profilesText(profiles, profileDir ?? '')] : []),
      ].join('\n'),
  );
}

type Profiles = Partial<Record<PipelineApp, ProfileSummary>>;

/** The apps' profiles, written when they exited (an app that was killed writes none). */
async function readProfiles(dir: string): Promise<Profiles> {
  const profiles: Profiles = {};
  for (const app of PIPELINE_APPS) {
    const file = join(dir, `${app}.cpuprofile`);
    if (!existsSync(file)) continue;
    profiles[app] = summarizeCpuProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
  }
  return profiles;
}

function profilesText(profiles: Profiles, dir: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const parts = Object.entries(profiles).map(([app, p]) =>
    [
      `${app}: busy ${pct(p.busy)} of ${p.seconds.toFixed(0)} s profiled, GC ${pct(p.gc)}`,
      table(
        p.byOwner.slice(0, 8).map((o) => [o.frame, pct(o.self)]),
        ['self time by owner', 'share'],
      ),
      table(
        p.top.slice(0, 10).map((o) => [o.frame, pct(o.self)]),
        ['hottest functions (self)', 'share'],
      ),
    ].join('\n'),
  );
  return [`CPU profiles (${dir}; open a .cpuprofile in Chrome DevTools → Performance):`, ...parts].join(
    '\n\n',
  );
}
