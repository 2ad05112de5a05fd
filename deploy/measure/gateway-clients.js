// Measures one alerts gateway holding N authenticated WebSocket clients: resident bytes per client, CPU.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const net = require('node:net');
const root = path.join(__dirname, '..', '..');
const D = path.join(root, 'dist');
const { loadConfig } = require(`${D}/libs/config/src/index.js`);
const { removePrefixedState } = require(`${D}/libs/infra/src/index.js`);
const { signToken } = require(`${D}/libs/alerting/src/index.js`);
const WebSocket = require(require.resolve('ws', { paths: [root] }));
const N = Number(process.argv[2] ?? 2000);
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const stat = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return {
    cpu: (Number(f[11]) + Number(f[12])) / 100,
    rss: Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024,
  };
};
(async () => {
  const id = `emeasure${crypto.randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const secret = crypto.randomBytes(16).toString('hex');
  const env = {
    ...process.env,
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_ALERTS_INSTANCE: id,
    VIGIL_ALERTS_PORT: String(port),
    VIGIL_JWT_SECRET: secret,
    VIGIL_LOG_LEVEL: 'warn',
  };
  const app = spawn(process.execPath, [`${D}/apps/alerts/src/main.js`], {
    env,
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (
      let t = 0;
      !(await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ));
      t++
    ) {
      if (t > 600) throw new Error('alerts not ready');
      await delay(200);
    }
    await delay(3000);
    const idle = stat(app.pid);
    const token = signToken({ sub: 'nurse-1', role: 'clinician', teams: ['t'] }, secret);
    const clients = [];
    for (let i = 0; i < N; i += 100) {
      clients.push(
        ...(await Promise.all(
          Array.from(
            { length: Math.min(100, N - i) },
            () =>
              new Promise((resolve, reject) => {
                const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
                ws.once('message', () => resolve(ws));
                ws.once('error', reject);
              }),
          ),
        )),
      );
    }
    await delay(10000);
    const c0 = stat(app.pid);
    await delay(30000);
    const c1 = stat(app.pid);
    console.log(
      JSON.stringify({
        clients: N,
        idleRssMiB: idle.rss / 2 ** 20,
        rssMiB: c1.rss / 2 ** 20,
        bytesPerClient: Math.round((c1.rss - idle.rss) / N),
        cpuCoresHoldingClients: (c1.cpu - c0.cpu) / 30,
      }),
    );
    for (const ws of clients) ws.terminate();
  } finally {
    app.kill('SIGTERM');
    await delay(3000);
    await removePrefixedState(loadConfig(env));
  }
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
