import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vigil/config';
import { createRedis } from '@vigil/infra';
import { uniqueId, waitFor } from '@vigil/testing';

/**
 * VIGIL_REDIS_SENTINELS against a real Sentinel: a private redis-server and a sentinel monitoring it,
 * on free ports of this spec's own (the shared Redis is not touched). Vigil's client asks the
 * sentinel for the master and works on it.
 */
describe('Redis through Sentinel', () => {
  let dir: string;
  const processes: ChildProcess[] = [];
  let redisPort: number;
  let sentinelPort: number;
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sentinel-'));
    redisPort = await freePort();
    sentinelPort = await freePort();
    processes.push(
      spawn(
        'redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
        {
          stdio: 'ignore',
        },
      ),
    );
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor vigiltest 127.0.0.1 ${redisPort} 1`,
        'sentinel down-after-milliseconds vigiltest 5000',
        '',
      ].join('\n'),
    );
    processes.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
  });

  afterAll(async () => {
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through the sentinel and reads back what it wrote', async () => {
    const settings = loadConfig({
      VIGIL_REDIS_URL: 'redis://ignored-host:1/0',
      VIGIL_REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      VIGIL_REDIS_SENTINEL_NAME: 'vigiltest',
    });
    const redis = createRedis(settings, { maxRetriesPerRequest: 3, sentinelRetryStrategy: () => 200 });
    const errors: string[] = [];
    redis.on('error', (e: Error) => errors.push(e.message)); // until the sentinel is up
    try {
      await waitFor(
        'a master via the sentinel',
        () =>
          redis.ping().then(
            (r) => r === 'PONG',
            () => false,
          ),
        20_000,
      );
      const key = uniqueId('sentinel');
      await redis.set(key, 'via-sentinel');
      expect(await redis.get(key)).toBe('via-sentinel');
      const info = await redis.info('server');
      expect(info).toContain(`tcp_port:${redisPort}`);
    } finally {
      await redis.quit();
    }
  });
});
