import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Command } from 'commander';
import { loadConfig, type Settings } from '@vigil/config';
import { signToken } from '@vigil/alerting';
import { repoRoot } from '@vigil/infra';
import { integer, integerAtLeast } from '../option-parsers';
import { Output } from '../output';
import { enrolDevices } from './up/enrol-devices';
import { type AppRun, onAppExit } from './up/restart-policy';

interface UpOptions {
  devices: number;
  seed: number;
  simulate: boolean;
  stack: boolean;
  json?: boolean;
}

const APPS = ['alerts', 'scorer', 'ingest'] as const;
type AppName = (typeof APPS)[number];

/**
 * `vigil up` (what `npm start` runs): the local stack, the three apps, and a device simulator, with
 * logs prefixed by their source. It supervises the apps: one that crashes (non-zero exit or a
 * signal) is restarted with back-off (`up/restart-policy.ts`: 1 s, 2 s, 4 s … 30 s) while the others
 * keep running. Ctrl-C stops the simulator, then ingest, scorer and alerts (each drains and
 * commits), then the parts of the stack this run started.
 */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'Start the whole pipeline locally: Kafka/Redis/Mosquitto, ingest, scorer, alerts, and a device simulator',
    )
    .option('--devices <n>', 'simulated devices (0 for none)', integerAtLeast(0), 12)
    .option('--seed <n>', 'simulator seed', integer, 7)
    .option('--no-simulate', 'do not start the device simulator')
    .option('--no-stack', 'do not start Kafka/Redis/Mosquitto (use the ones configured)')
    .option('--json', 'print one JSON object with the URLs and tokens once everything is up')
    .action((options: UpOptions) => up(options));
}

async function up(options: UpOptions): Promise<void> {
  const out = new Output(options);
  const root = repoRoot();
  const stackScript = join(root, 'deploy', 'stack.sh');
  const kafkaWasUp = options.stack ? stackStatus(stackScript).includes('kafka: up') : true;
  if (options.stack) run(stackScript, ['up']);

  // One JWT secret per run unless the operator set one: tokens printed below work for this run.
  const secret = loadConfig().jwtSecret ?? randomBytes(24).toString('base64url');
  // Likewise the scrape token of every app's /metrics.
  const metricsToken = loadConfig().metricsToken ?? randomBytes(24).toString('base64url');
  // The children inherit this environment; VIGIL_JWT_SECRET is set so the tokens below work. On a
  // fresh broker the consumer groups are new: they start at the beginning of the (local, empty) log,
  // so nothing the simulator sends while they join is skipped.
  const env: NodeJS.ProcessEnv = {
    VIGIL_NEW_GROUPS_FROM: 'earliest',
    ...process.env,
    VIGIL_JWT_SECRET: secret,
    VIGIL_METRICS_TOKEN: metricsToken,
  };
  const config = loadConfig(env);
  /** The current process of each app and of the simulator (a restart replaces its entry). */
  const children = new Map<string, ChildProcess>();
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  // One guard for all children, whichever process is current: never leave orphans.
  process.once('exit', () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    out.info('\nstopping…');
    // Producers first, so consumers drain what was produced before they stop.
    for (const name of ['simulator', 'ingest', 'scorer', 'alerts']) {
      const child = children.get(name);
      if (child) await stop(child);
    }
    if (options.stack && !kafkaWasUp) run(stackScript, ['down']);
    out.info('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  /** Starts `app` and restarts it whenever it crashes, as the restart policy says. */
  const launch = (app: AppName, current: AppRun): void => {
    const child = startChild(
      app,
      process.execPath,
      [join(root, 'dist', 'apps', app, 'src', 'main.js')],
      env,
      root,
    );
    children.set(app, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
      const decision = onAppExit(current, { code, signal }, Date.now());
      switch (decision.kind) {
        case 'ignore':
          out.info(`[vigil up] ${app} ${how} (a clean stop): not restarting it; the other apps keep running`);
          return;
        case 'give-up':
          out.info(`[vigil up] !!! ${app} ${how}: ${decision.why}; stopping everything`);
          void stopAll(1);
          return;
        case 'restart': {
          out.info(
            `[vigil up] !!! ${app} ${how} after ${Math.round(decision.upMs / 1000)} s up; ` +
              `restarting it in ${decision.delayMs / 1000} s (crash ${decision.crashes} in a row); the other apps keep running`,
          );
          const timer = setTimeout(() => {
            restarts.delete(timer);
            if (stopping) return;
            launch(app, { crashes: decision.crashes, startedAt: Date.now() });
            waitHealthy(app, portOf(app, config), 60_000).then(
              () => out.info(`[vigil up] ${app} is back and healthy`),
              (error: unknown) =>
                out.info(`[vigil up] !!! ${app}: ${error instanceof Error ? error.message : String(error)}`),
            );
          }, decision.delayMs);
          restarts.add(timer);
          return;
        }
      }
    });
  };

  try {
    for (const app of APPS) launch(app, { crashes: 0, startedAt: Date.now() });
    for (const app of APPS) await waitHealthy(app, portOf(app, config), 60_000);

    const devices = options.simulate ? options.devices : 0;
    if (devices > 0) {
      const teams = await enrolDevices(config, devices, options.seed);
      out.info(
        `enrolled ${devices} simulated devices (${teams.teamA} patients in team-a, ${teams.teamB} in team-b)`,
      );
      const sim = startChild(
        'simulator',
        process.execPath,
        [
          join(root, 'bin', 'vigil'),
          'simulate',
          '--mqtt',
          config.mqttUrl,
          '--devices',
          String(devices),
          '--seed',
          String(options.seed),
          '--episodes',
          'demo',
          '--backfill',
          '150',
        ],
        env,
        root,
      );
      children.set('simulator', sim);
    }

    const oncall = signToken({ sub: 'oncall-demo', role: 'oncall', teams: [] }, secret);
    const nurse = signToken({ sub: 'nurse-demo', role: 'clinician', teams: ['team-a'] }, secret);
    const base = `http://127.0.0.1:${config.alertsPort}`;
    const summary = {
      dashboard: `${base}/?token=${oncall}`,
      websocket: `ws://127.0.0.1:${config.alertsPort}/ws?token=${oncall}`,
      tokens: { oncall, clinicianTeamA: nurse, metrics: metricsToken },
      health: APPS.map((a) => `http://127.0.0.1:${portOf(a, config)}/health`),
      devices,
    };
    out.info('');
    out.info('Vigil is up.');
    out.info(`  Dashboard (on-call):  ${summary.dashboard}`);
    out.info(`  WebSocket alerts:     ${summary.websocket}`);
    out.info(`  Clinician of team-a:  Authorization: Bearer ${nurse}`);
    out.info(`  Health:               ${summary.health.join('  ')}`);
    out.info(`  Metrics (each app):   curl -H 'Authorization: Bearer ${metricsToken}' ${base}/metrics`);
    out.info(
      devices > 0
        ? `  Simulating ${devices} devices; 2.5 min of history uploaded, then live; alerts are on the dashboard already.`
        : '  No simulator running.',
    );
    out.info('  Ctrl-C stops everything.\n');
    out.result(summary);
  } catch (error) {
    out.info(`vigil up: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
}

function portOf(app: AppName, config: Settings): number {
  return app === 'alerts' ? config.alertsPort : app === 'scorer' ? config.scorerPort : config.ingestPort;
}

function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): ChildProcess {
  // Own process group: Ctrl-C reaches `vigil up` only, which then stops the children in order.
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = `[${name}]`.padEnd(12);
  const relay = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim()) stream.write(`${prefix}${line}\n`);
  };
  child.stdout?.on('data', relay(process.stderr));
  child.stderr?.on('data', relay(process.stderr));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitHealthy(app: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not listening';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${app} was not healthy within ${timeoutMs / 1000} s (last: ${last})`);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2] });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)})`);
}

function stackStatus(script: string): string {
  return spawnSync(script, ['status'], { encoding: 'utf8' }).stdout ?? '';
}
