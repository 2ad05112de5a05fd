// Measures the three apps as processes under N devices publishing one sample a second each:
// resident memory idle and loaded, CPU cores, samples/s and windows/s (from their /metrics).
//   npm run build && node deploy/measure/apps-under-load.js [devices=1000] [seconds=90]
// Needs the local stack (deploy/stack.sh up); runs under a topic/key prefix of its own and removes it.
// To be replaced by `vigil bench e2e` / `vigil bench scorer` (docs/scaling.md says which figure).
const path = require('node:path');
const net = require('node:net');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const root = path.join(__dirname, '..', '..');
const D = path.join(root, 'dist');
const { loadConfig } = require(`${D}/libs/config/src/index.js`);
const { removePrefixedState } = require(`${D}/libs/infra/src/index.js`);
const { openRegistry } = require(`${D}/libs/registry/src/index.js`);
const { validSample } = require(`${D}/libs/ingestion/src/index.js`);
const { Random } = require(`${D}/libs/simulator/src/index.js`);
const { expireIngestSessions } = require(`${D}/apps/ingest/src/index.js`);
const mqtt = require(require.resolve('mqtt', { paths: [root] }));
const N = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 90);
const id = `emeasure${crypto.randomBytes(3).toString('hex')}`;
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
let env;
const ports = {};
async function setup() {
  for (const app of ['ingest', 'scorer', 'alerts']) ports[app] = await freePort();
  env = {
    ...process.env,
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_MQTT_SHARE_GROUP: id,
    VIGIL_INGEST_INSTANCE: id,
    VIGIL_ALERTS_INSTANCE: id,
    VIGIL_INGEST_PORT: String(ports.ingest),
    VIGIL_SCORER_PORT: String(ports.scorer),
    VIGIL_ALERTS_PORT: String(ports.alerts),
    VIGIL_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_NEW_GROUPS_FROM: 'earliest',
  };
}
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
function stat(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / 100; // utime+stime in s (CLK_TCK 100)
  const rss = Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024;
  return { cpu, rss };
}
async function metric(app, re) {
  const t = await (await fetch(`http://127.0.0.1:${ports[app]}/metrics`)).text();
  return [...t.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
}
(async () => {
  await setup();
  const settings = loadConfig(env);
  const open = await openRegistry(settings);
  const devices = Array.from({ length: N }, (_, i) => `${id}-d${i}`);
  for (const [i, d] of devices.entries()) await open.registry.enrol(d, `${id}-p${i}`, { careTeams: ['t'] });
  await open.close();
  const procs = {};
  for (const app of ['alerts', 'scorer', 'ingest']) {
    procs[app] = spawn(process.execPath, [`${D}/apps/${app}/src/main.js`], {
      env,
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  for (const app of Object.keys(procs)) {
    for (let t = 0; ; t++) {
      const ok = await fetch(`http://127.0.0.1:${ports[app]}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (t > 600) throw new Error(`${app} not ready`);
      await delay(200);
    }
  }
  await delay(5000);
  const idle = Object.fromEntries(Object.entries(procs).map(([a, p]) => [a, stat(p.pid).rss]));
  const clients = [];
  for (let i = 0; i < N; i += 50)
    clients.push(
      ...(await Promise.all(
        devices
          .slice(i, i + 50)
          .map((d) =>
            mqtt.connectAsync(settings.mqttUrl, { protocolVersion: 5, clientId: `${d}`, clean: true }),
          ),
      )),
    );
  const rng = new Random(1);
  let seq = 0;
  let stopping = false;
  const publisher = (async () => {
    while (!stopping) {
      const t0 = Date.now();
      seq++;
      await Promise.all(
        clients.map((c) =>
          c.publishAsync(
            `vigil/v1/devices/${c.options.clientId}/telemetry`,
            JSON.stringify(validSample(rng, seq, t0)),
            { qos: 1 },
          ),
        ),
      );
      await delay(Math.max(0, 1000 - (Date.now() - t0)));
    }
  })();
  await delay(20000); // warm-up
  const a0 = Object.fromEntries(Object.entries(procs).map(([a, p]) => [a, stat(p.pid)]));
  const s0 = await metric('ingest', /^vigil_ingest_samples_total (\S+)$/gm);
  const w0 = await metric('scorer', /^vigil_scorer_windows_total (\S+)$/gm);
  const t0 = Date.now();
  let peak = {};
  while (Date.now() - t0 < SECONDS * 1000) {
    await delay(5000);
    for (const [a, p] of Object.entries(procs)) peak[a] = Math.max(peak[a] ?? 0, stat(p.pid).rss);
  }
  const el = (Date.now() - t0) / 1000;
  const a1 = Object.fromEntries(Object.entries(procs).map(([a, p]) => [a, stat(p.pid)]));
  const s1 = await metric('ingest', /^vigil_ingest_samples_total (\S+)$/gm);
  const w1 = await metric('scorer', /^vigil_scorer_windows_total (\S+)$/gm);
  const lag = await metric('scorer', /^vigil_consumer_lag\{[^}]*\} (\S+)$/gm);
  const ws =
    (await metric('scorer', /^vigil_scorer_ingest_to_score_seconds_sum (\S+)$/gm)) /
    (await metric('scorer', /^vigil_scorer_ingest_to_score_seconds_count (\S+)$/gm));
  const result = {
    devices: N,
    seconds: el,
    samplesPerSecond: (s1 - s0) / el,
    windowsPerSecond: (w1 - w0) / el,
    scorerLag: lag,
    meanIngestToScoreS: ws,
    apps: Object.fromEntries(
      Object.keys(procs).map((a) => [
        a,
        {
          idleRssMiB: idle[a] / 2 ** 20,
          loadedRssMiB: a1[a].rss / 2 ** 20,
          peakRssMiB: peak[a] / 2 ** 20,
          cpuCores: (a1[a].cpu - a0[a].cpu) / el,
        },
      ]),
    ),
  };
  console.log(JSON.stringify(result));
  stopping = true;
  await publisher;
  await Promise.all(clients.map((c) => c.endAsync()));
  for (const p of Object.values(procs)) p.kill('SIGTERM');
  await delay(5000);
  await expireIngestSessions(settings).catch(() => undefined);
  await removePrefixedState(settings);
  process.exit(0);
})().catch(async (e) => {
  console.error(e);
  process.exit(1);
});
