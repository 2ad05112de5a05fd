import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export const PIPELINE_APPS = ['alerts', 'scorer', 'ingest'] as const;
export type PipelineApp = (typeof PIPELINE_APPS)[number];

export interface AppProcessesOptions {
  /** The command line of an app: `[node, dist/apps/x/src/main.js]` or the specs' app-process.js. */
  readonly command: (app: PipelineApp) => readonly [string, ...string[]];
  /** Environment of every app (the apps' settings). */
  readonly env: NodeJS.ProcessEnv;
  /** HTTP port of each app (health, metrics). */
  readonly ports: Readonly<Record<PipelineApp, number>>;
  /** Where an app's stderr goes (default: inherited). */
  readonly stderr?: 'inherit' | 'ignore';
}

export interface AppHealth {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/**
 * The three Vigil apps as real child processes, for the end-to-end benchmark and the fault suite:
 * started, SIGKILLed, restarted and asked for their health and CPU time like an operator would.
 */
export class AppProcesses {
  private readonly children = new Map<PipelineApp, ChildProcess>();

  constructor(private readonly options: AppProcessesOptions) {}

  url(app: PipelineApp): string {
    return `http://127.0.0.1:${this.options.ports[app]}`;
  }

  pid(app: PipelineApp): number | undefined {
    return this.children.get(app)?.pid;
  }

  start(app: PipelineApp): ChildProcess {
    const [command, ...args] = this.options.command(app);
    const child = spawn(command, args, {
      env: this.options.env,
      stdio: ['ignore', 'ignore', this.options.stderr ?? 'inherit'],
    });
    this.children.set(app, child);
    return child;
  }

  async startAll(timeoutMs = 120_000): Promise<void> {
    for (const app of PIPELINE_APPS) this.start(app);
    for (const app of PIPELINE_APPS) await this.waitHealthy(app, timeoutMs);
  }

  /** Kills an app with `signal` and resolves once the process is gone. */
  async kill(app: PipelineApp, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async health(app: PipelineApp): Promise<AppHealth | null> {
    try {
      const res = await fetch(`${this.url(app)}/health/ready`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { checks?: Record<string, string> };
      return { ok: res.ok, checks: body.checks ?? {} };
    } catch {
      return null;
    }
  }

  async waitHealthy(app: PipelineApp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: AppHealth | null = null;
    while (Date.now() < deadline) {
      last = await this.health(app);
      if (last?.ok) return;
      await delay(250);
    }
    throw new Error(
      `${app} was not ready within ${timeoutMs / 1000} s (last: ${last ? JSON.stringify(last.checks) : 'not answering'})`,
    );
  }

  async allHealthy(): Promise<boolean> {
    const states = await Promise.all(PIPELINE_APPS.map((a) => this.health(a)));
    return states.every((s) => s?.ok === true);
  }

  /** Prometheus text of an app's /metrics (every app wants a token: by default the apps' VIGIL_METRICS_TOKEN). */
  async metrics(app: PipelineApp, token = this.options.env.VIGIL_METRICS_TOKEN): Promise<string> {
    // A busy machine can make one scrape slow: a few tries before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.url(app)}/metrics`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(15_000),
        });
        if (!res.ok) throw new Error(`${app} /metrics answered ${res.status}`);
        return await res.text();
      } catch (error) {
        if (attempt >= 4) throw error;
        await delay(500);
      }
    }
  }

  /** CPU seconds (user + system) the app's current process has used, from /proc. */
  cpuSeconds(app: PipelineApp): number {
    const pid = this.pid(app);
    return pid === undefined ? 0 : processCpuSeconds(pid);
  }

  /** Stops every app (SIGTERM: they drain and commit), the producers first. */
  async stopAll(): Promise<void> {
    for (const app of ['ingest', 'scorer', 'alerts'] as const) {
      const child = this.children.get(app);
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of a process, in seconds (0 when it is gone or /proc is not there). */
export function processCpuSeconds(pid: number): number {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** Fields 14 and 15 (utime, stime) of a /proc/<pid>/stat line; the command may hold spaces and parens. */
export function parseProcStat(line: string): number {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime is field 14 → index 11, stime → 12.
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Sum of a Prometheus metric's samples (any labels) in /metrics text; 0 when absent. */
export function metricSum(text: string, name: string, labels?: RegExp): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !labels.test(rest)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** The pid of the process listening on a local TCP port (Kafka, Redis, Mosquitto), from /proc; null if none is found. */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      if (parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(entry);
      } catch {
        // the descriptor closed meanwhile
      }
    }
  }
  return null;
}
