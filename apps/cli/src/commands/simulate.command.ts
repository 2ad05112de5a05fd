import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '@vigil/config';
import { mqttTlsOptions } from '@vigil/ingest';
import { recordSimulation, telemetryPayload, VitalsSimulator, type SimulatedReading } from '@vigil/simulator';
import { Output } from '../output';
import { positiveInteger, positiveNumber, integer } from '../option-parsers';
import { progressBar } from '../progress-bar';
import { DeviceFleet } from './simulate/device-fleet';

interface SimulateOptions {
  devices: number;
  rate: number;
  seed: number;
  duration?: number;
  speed?: number;
  start?: number;
  backfill?: number;
  episodes: 'none' | 'default' | 'demo';
  episodeGap?: number;
  out?: string;
  mqtt?: string;
  credentials?: string;
  batch: number;
  inflight: number;
  json?: boolean;
}

const time = (raw: string) => {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected epoch ms or an ISO 8601 time');
  return n;
};

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'Simulate wearables: publish live telemetry to MQTT, or write a labelled recording with --out',
    )
    .option('--devices <n>', 'number of patients, one device each', positiveInteger, 10)
    .option('--rate <hz>', 'samples per second per device', positiveNumber, 1)
    .option('--seed <n>', 'seed: same seed, same vitals and episodes', integer, 1)
    .option(
      '--duration <seconds>',
      'measurement time to simulate (default: until Ctrl-C for --mqtt, 3600 for --out)',
      positiveNumber,
    )
    .option(
      '--speed <x>',
      'time factor for --mqtt: 60 plays one minute per second (default VIGIL_SIMULATE_SPEED)',
      positiveNumber,
    )
    .option(
      '--start <time>',
      'measurement time of the first sample (default: now, or earlier so a sped-up run with a --duration ends near now)',
      time,
    )
    .option(
      '--backfill <seconds>',
      'with --mqtt: first publish this much recent history at full speed (a phone gateway syncing), then go live',
      positiveNumber,
    )
    .addOption(
      new Option(
        '--episodes <plan>',
        'anomaly episodes: default (random, ~every 2.5 h per patient), demo (one per patient in the first minutes, then ~every 30 min), none',
      )
        .choices(['none', 'default', 'demo'])
        .default('default'),
    )
    .option(
      '--episode-gap <minutes>',
      'mean time between random episodes of one patient (default 150; demo 30)',
      positiveNumber,
    )
    .option(
      '--out <dir>',
      'write a recording (samples.csv + labels.json, docs/recording-format.md) instead of publishing',
    )
    .option('--mqtt <url>', 'MQTT broker to publish to (default VIGIL_MQTT_URL)')
    .option('--credentials <file>', 'JSON map deviceId -> MQTT password')
    .option('--batch <n>', 'samples per MQTT message ({"samples": [...]} when > 1)', positiveInteger, 1)
    .option(
      '--inflight <n>',
      'unacknowledged publishes per device before the simulator waits',
      positiveInteger,
      16,
    )
    .option('--json', 'print one JSON summary as the last line')
    .action((options: SimulateOptions) => (options.out ? record(options, options.out) : publish(options)));
}

async function record(options: SimulateOptions, dir: string): Promise<void> {
  const out = new Output(options);
  const durationS = options.duration ?? 3600;
  const startMs = options.start ?? wholeSecond(Date.now() - durationS * 1000);
  const bar = progressBar('simulate', 's', Math.ceil(durationS));
  const t0 = Date.now();
  const labels = await recordSimulation(
    {
      seed: options.seed,
      patients: options.devices,
      startMs,
      rateHz: options.rate,
      episodes: options.episodes,
      episodeGapMin: options.episodeGap,
    },
    Math.round(durationS * 1000),
    dir,
    (doneMs) => bar.update(Math.floor(doneMs / 1000), { status: `${options.devices} devices` }),
  );
  bar.stop();
  const wallS = (Date.now() - t0) / 1000;
  const samples = Math.round(options.devices * durationS * options.rate);
  const summary = {
    out: resolve(dir),
    devices: options.devices,
    seed: options.seed,
    startMs,
    durationS,
    rateHz: options.rate,
    samples,
    episodes: labels.episodes.length,
    clinicalEpisodes: labels.episodes.filter((e) => e.category === 'clinical').length,
    confounders: labels.confounders.length,
    wallSeconds: wallS,
  };
  out.result(summary, () =>
    [
      `Wrote ${samples} samples of ${options.devices} patients (${durationS} s at ${options.rate} Hz) to ${summary.out}`,
      `${summary.episodes} labelled episodes (${summary.clinicalEpisodes} clinical) and ${summary.confounders} confounders (exercise, artefacts) in labels.json; ${wallS.toFixed(1)} s.`,
    ].join('\n'),
  );
}

async function publish(options: SimulateOptions): Promise<void> {
  const out = new Output(options);
  const config = loadConfig();
  const url = options.mqtt ?? config.mqttUrl;
  const speed = options.speed ?? config.simulateSpeed;
  const durationS = options.duration;
  // Measurement time runs `speed` times faster than the wall clock; starting early keeps every
  // timestamp in the past, so ingest does not refuse them as "from the future".
  const backfillMs = (options.backfill ?? 0) * 1000;
  const startMs =
    options.start ??
    wholeSecond(
      Date.now() -
        backfillMs -
        (durationS !== undefined && speed > 1 ? durationS * 1000 * (1 - 1 / speed) : 0),
    );
  const passwords = options.credentials ? await readCredentials(options.credentials) : {};
  const sim = new VitalsSimulator({
    seed: options.seed,
    patients: options.devices,
    startMs,
    rateHz: options.rate,
    episodes: options.episodes,
    episodeGapMin: options.episodeGap,
  });
  const fleet = await DeviceFleet.connect({
    url,
    deviceIds: sim.patients.map((p) => p.deviceId),
    passwords,
    maxInFlight: options.inflight,
    tls: mqttTlsOptions(config),
  });
  if (speed > 1 && durationS === undefined && options.start === undefined)
    out.info(
      `Note: at speed ×${speed} without --duration, measurement time runs ahead of the clock; ingest refuses samples more than VIGIL_INGEST_MAX_FUTURE_MS ahead.`,
    );
  out.info(
    `Publishing ${options.devices} devices at ${options.rate} Hz, speed ×${speed}, to ${url}${durationS ? ` for ${durationS} s` : ' (Ctrl-C stops)'}`,
  );

  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const endMs = durationS !== undefined ? startMs + durationS * 1000 : Infinity;
  const tickWallMs = 1000 / options.rate / speed;
  const backfillTicks = Math.round((backfillMs / 1000) * options.rate);
  const bar = durationS !== undefined ? progressBar('simulate', 's', Math.ceil(durationS)) : null;
  const t0 = performance.now();
  let ticks = 0;
  let samples = 0;
  let messages = 0;
  let lastReport = t0;
  const pending = new Map<string, SimulatedReading[]>();
  try {
    while (!stopping && sim.now < endMs) {
      // Pace to the wall clock once the backfill is out; when behind (broker back-pressure), run without waiting.
      const due = t0 + Math.max(0, ticks - backfillTicks) * tickWallMs;
      const ahead = due - performance.now();
      if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
      for (const r of sim.tick()) {
        let batch = pending.get(r.deviceId);
        if (!batch) pending.set(r.deviceId, (batch = []));
        batch.push(r);
        if (batch.length >= options.batch) {
          await fleet.publish(r.deviceId, telemetryPayload(batch));
          samples += batch.length;
          messages++;
          batch.length = 0;
        }
      }
      ticks++;
      const now = performance.now();
      // A bar redraws in place every second; a running log (no --duration) gets a line every 10 s.
      if (now - lastReport >= (bar ? 1000 : 10_000)) {
        const status = `${Math.round(samples / ((now - t0) / 1000))} samples/s`;
        if (bar) bar.update(Math.floor((sim.now - startMs) / 1000), { status });
        else out.info(`${new Date(sim.now).toISOString()}  ${samples} samples  ${status}`);
        lastReport = now;
      }
    }
    for (const [deviceId, batch] of pending)
      if (batch.length > 0) {
        await fleet.publish(deviceId, telemetryPayload(batch));
        samples += batch.length;
        messages++;
      }
  } finally {
    await fleet.close();
    bar?.update(Math.floor((sim.now - startMs) / 1000));
    bar?.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const wallS = (performance.now() - t0) / 1000;
  const summary = {
    url,
    devices: options.devices,
    seed: options.seed,
    speed,
    startMs,
    endMs: sim.now,
    samples,
    messages,
    wallSeconds: Math.round(wallS * 1000) / 1000,
    samplesPerSecond: Math.round(samples / wallS),
    episodes: sim.episodesUntil(sim.now).length,
    publishErrors: fleet.errors.count,
    lastPublishError: fleet.errors.last,
  };
  out.result(
    summary,
    () =>
      `Published ${samples} samples in ${messages} messages (${summary.samplesPerSecond} samples/s, ${summary.episodes} episodes played)` +
      (summary.publishErrors > 0
        ? `; ${summary.publishErrors} publishes failed, last: ${summary.lastPublishError}`
        : ''),
  );
  if (summary.publishErrors > 0) process.exitCode = 1;
}

async function readCredentials(file: string): Promise<Record<string, string>> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Object.values(parsed).some((v) => typeof v !== 'string')
  )
    throw new Error(`${file}: expected a JSON object mapping deviceId to password`);
  return parsed as Record<string, string>;
}

const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
