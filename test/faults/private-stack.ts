import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const root = join(__dirname, '..', '..');
const stackScript = join(root, 'deploy', 'stack.sh');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A stack of its own for the fault suite, beside the shared one (which other tests use and which
 * must never be stopped or flushed): deploy/stack.sh with a private VIGIL_STACK_DIR and free ports
 * for Kafka (and its controller), Redis and Vigil's Mosquitto. Each fault stops or flushes one of
 * these and `up` (idempotent) brings back what is missing, as an operator would.
 */
export class PrivateStack {
  private constructor(
    readonly dir: string,
    readonly ports: { kafka: number; controller: number; redis: number; mqtt: number },
  ) {}

  static async up(name: string): Promise<PrivateStack> {
    const ports = {
      kafka: await freePort(),
      controller: await freePort(),
      redis: await freePort(),
      mqtt: await freePort(),
    };
    const stack = new PrivateStack(join(tmpdir(), `vigil-${name}`), ports);
    stack.run('up');
    return stack;
  }

  get kafkaBrokers(): string {
    return `127.0.0.1:${this.ports.kafka}`;
  }
  get redisUrl(): string {
    return `redis://127.0.0.1:${this.ports.redis}`;
  }
  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.ports.mqtt}`;
  }

  /** `deploy/stack.sh <command>` on this stack. */
  run(command: 'up' | 'down' | 'status'): string {
    const result = spawnSync(stackScript, [command], {
      env: {
        ...process.env,
        VIGIL_STACK_DIR: this.dir,
        VIGIL_STACK_KAFKA_PORT: String(this.ports.kafka),
        VIGIL_STACK_KAFKA_CONTROLLER_PORT: String(this.ports.controller),
        VIGIL_STACK_REDIS_PORT: String(this.ports.redis),
        VIGIL_STACK_MQTT_PORT: String(this.ports.mqtt),
        KAFKA_HEAP: '512m',
      },
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`stack.sh ${command} failed: ${result.stdout ?? ''}${result.stderr ?? ''}`);
    return result.stdout;
  }

  /** Stops Kafka (SIGTERM, its clean shutdown) and waits until the process is gone. */
  async stopKafka(): Promise<void> {
    await this.terminate(join(this.dir, 'kafka', 'broker.pid'));
  }

  /** Stops Mosquitto (SIGTERM: it saves its persistent sessions) and waits until it is gone. */
  async stopMosquitto(): Promise<void> {
    const where = join(this.dir, 'mosquitto.dir');
    const mqttDir = existsSync(where) ? readFileSync(where, 'utf8').trim() : join(this.dir, 'mosquitto');
    await this.terminate(join(mqttDir, 'mosquitto.pid'));
  }

  /** Stops Redis without saving: what it held is gone when it comes back. */
  async stopRedis(): Promise<void> {
    await this.terminate(join(this.dir, 'redis', 'redis.pid'));
  }

  /** Stops everything this stack started and removes its files. */
  down(): void {
    try {
      this.run('down');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async terminate(pidFile: string): Promise<void> {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${pidFile}`);
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (alive(pid)) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await delay(100);
    }
  }
}
