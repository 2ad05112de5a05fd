import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { type Command } from 'commander';
import { signToken } from '@vigil/alerting';
import { AlertsModule } from '@vigil/alerts';
import { loadConfig } from '@vigil/config';
import { type AlertEvent, type RegistryEvent, TOPICS, type WindowScore } from '@vigil/contracts';
import {
  applySecurityHeaders,
  configureModuleApp,
  KafkaConnection,
  removePrefixedState,
  repoRoot,
} from '@vigil/infra';
import { Output } from '../output';
import { positiveInteger } from '../option-parsers';

interface DashboardBenchOptions {
  patients: number;
  alerts: number;
  json?: boolean;
}

const CHROMIUM = '/usr/bin/chromium';

/**
 * `vigil bench dashboard`: time from an alert event produced to Kafka (before the send) until its
 * row is in the page's DOM, in Debian's Chromium, with N patients on screen and their vitals
 * streaming (one window per patient every 5 s). The real gateway in this process, on the local
 * Kafka and Redis, under a throw-away prefix removed afterwards.
 */
export function registerDashboardBench(bench: Command): void {
  bench
    .command('dashboard')
    .description('Alert event in Kafka → its row on the dashboard page (p50/p99), N patients on screen')
    .option('--patients <n>', 'patients on screen', positiveInteger, 500)
    .option('--alerts <n>', 'alerts measured, one at a time', positiveInteger, 200)
    .option('--json', 'print one JSON object as the last line')
    .action((options: DashboardBenchOptions) => run(options));
}

async function run(options: DashboardBenchOptions): Promise<void> {
  const out = new Output(options);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(join(repoRoot(), 'dist', 'dashboard', 'index.html')))
    throw new Error('the dashboard is not built: npm run build');
  // A dev dependency: loaded only here.
  const { chromium } = await import('playwright-core');
  const id = `bench-dash-${randomBytes(4).toString('hex')}`;
  const settings = loadConfig({
    VIGIL_TOPIC_PREFIX: `${id}.`,
    VIGIL_ALERTS_INSTANCE: id,
    VIGIL_ALERTS_PORT: '0',
    VIGIL_JWT_SECRET: randomBytes(16).toString('hex'),
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_NEW_GROUPS_FROM: 'earliest',
    VIGIL_NO_DATA_SECONDS: '86400',
    VIGIL_ESCALATE_AFTER_SECONDS: '86400',
  });
  const module = AlertsModule.forRoot(settings);
  const app = await NestFactory.create(module, { logger: ['error', 'warn'], forceCloseConnections: true });
  configureModuleApp(app, module);
  applySecurityHeaders(app);
  const profile = mkdtempSync(join(tmpdir(), 'vigil-bench-chromium-'));
  let vitals: NodeJS.Timeout | null = null;
  try {
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const kafka = app.get(KafkaConnection);
    const ids = Array.from({ length: options.patients }, (_, i) => `${id}-p${i}`);
    await kafka.send(
      TOPICS.registryChanges,
      ids.map((patientId, i): { key: string; value: RegistryEvent } => ({
        key: `patient:${patientId}`,
        value: {
          type: 'patient.care-teams',
          patientId,
          careTeams: ['team-a'],
          displayName: `Patient ${i}`,
          bed: String(i + 1),
          at: Date.now(),
        },
      })),
    );
    const score = (patientId: string, i: number): WindowScore => ({
      v: 1,
      patientId,
      at: Date.now(),
      news2: 1,
      model: 0.5,
      contributions: null,
      latest: { hr: 70 + (i % 20), spo2: 96, rr: 15, temp: 36.8, sbp: 120, dbp: 78 },
      usual: { hr: 75, spo2: 97, rr: 14, temp: 36.8, sbp: 120, dbp: 78 },
      deviation: 0.5,
      context: { activity: 'rest', night: false },
    });
    // Every patient's windows, spread over each 5 s (the scorer's stride).
    let tick = 0;
    const perTick = Math.ceil(ids.length / 5);
    const sendVitals = () => {
      const slice = ids.slice((tick % 5) * perTick, (tick % 5) * perTick + perTick);
      tick++;
      void kafka.send(
        TOPICS.scores,
        slice.map((p, i) => ({ key: p, value: score(p, i) })),
      );
    };
    for (let i = 0; i < 5; i++) sendVitals();
    vitals = setInterval(sendVitals, 1000);

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1600, height: 1000 },
      // The probes below are page code given as strings; the page's CSP (no eval) would refuse them.
      bypassCSP: true,
    });
    try {
      const page = await context.newPage();
      await page.goto(url.replace('[::1]', '127.0.0.1'));
      const token = signToken({ sub: 'bench', role: 'oncall', teams: [] }, settings.jwtSecret as string);
      await page.fill('#token', token);
      await page.click('#sign-in-form button[type=submit]');
      // Page code as strings: this file is compiled for Node, without the DOM's types.
      await page.waitForFunction(
        `document.querySelectorAll('#tiles > li[data-status="normal"]').length >= ${options.patients}`,
        undefined,
        { timeout: 120_000 },
      );
      // The page notes when each alert row enters the DOM (epoch ms, the same clock as here).
      await page.evaluate(`(() => {
        const seen = (window.seen = {});
        new MutationObserver((changes) => {
          const now = performance.timeOrigin + performance.now();
          for (const c of changes)
            for (const n of c.addedNodes)
              if (n.dataset && n.dataset.alertId && !(n.dataset.alertId in seen)) seen[n.dataset.alertId] = now;
        }).observe(document.getElementById('tiles'), { childList: true, subtree: true });
      })()`);
      out.info(`${options.patients} patients on screen; measuring ${options.alerts} alerts…`);
      const latencies: number[] = [];
      for (let i = 0; i < options.alerts; i++) {
        const patientId = ids[(i * 7) % ids.length];
        const alertId = `${patientId}:bench:${i}`;
        const event: AlertEvent = {
          v: 1,
          alertId,
          patientId,
          kind: 'clinical',
          state: 'raised',
          severity: i % 5 === 0 ? 'high' : 'medium',
          reason: 'HR 131 /min (usual 75)',
          vitals: ['hr'],
          evidence: [{ source: 'baseline', vital: 'hr', value: 131, usual: 75, score: 5 }],
          startedAt: Date.now(),
          at: Date.now(),
        };
        const t0 = Date.now();
        await kafka.send(TOPICS.alerts, [{ key: patientId, value: event }]);
        const handle = await page.waitForFunction(`window.seen[${JSON.stringify(alertId)}]`, undefined, {
          polling: 'raf',
          timeout: 30_000,
        });
        latencies.push(Number(await handle.jsonValue()) - t0);
      }
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
      const result = {
        patients: options.patients,
        alerts: latencies.length,
        p50Ms: Math.round(q(0.5)),
        p99Ms: Math.round(q(0.99)),
        maxMs: Math.round(latencies[latencies.length - 1]),
      };
      out.result(result, () =>
        [
          `alert event produced to Kafka → its row on the page, ${result.patients} patients on screen, vitals streaming:`,
          `  p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms   max ${result.maxMs} ms   (${result.alerts} alerts, one at a time)`,
        ].join('\n'),
      );
    } finally {
      await context.close();
    }
  } finally {
    if (vitals) clearInterval(vitals);
    await app.close();
    rmSync(profile, { recursive: true, force: true });
    await removePrefixedState(settings);
  }
}
