import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { telemetryTopic } from '@vigil/contracts';
import {
  hashPassword,
  type RegistryStore,
  renderAclFile,
  renderBrokerConfig,
  renderPasswordFile,
} from '@vigil/registry';
import {
  cleanUp,
  IngestOutput,
  ingestSettings,
  type RunningIngest,
  startIngest,
  TestDevice,
  testRegistry,
  uniqueName,
  waitUntil,
} from './ingest-support';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * Device authentication on a real Mosquitto that runs with the password file and ACL the project
 * generates from the registry: per-device credentials, a device publishes only under its own id,
 * the ingest service subscribes with its own account, and a revoked device is shut out on reload.
 */
describe('device authentication (real Mosquitto with generated passwd/ACL, Kafka, Redis)', () => {
  const id = uniqueName('it-auth');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  const ingestPassword = `ingest-${id}`;
  let port: number;
  let broker: ChildProcess;
  let ingest: RunningIngest;
  let output: IngestOutput;
  let registry: RegistryStore;
  let closeRegistry: () => Promise<void>;
  const secrets = new Map<string, string>();
  const dev = (n: string) => `${id}-${n}`;
  let settings = ingestSettings(id);

  async function writeBrokerFiles(): Promise<void> {
    writeFileSync(
      join(dir, 'passwd'),
      renderPasswordFile(await registry.devices(), [
        { username: 'vigil-ingest', passwordHash: hashPassword(ingestPassword) },
      ]),
    );
    writeFileSync(join(dir, 'acl'), renderAclFile('vigil-ingest'));
  }

  beforeAll(async () => {
    ({ registry, close: closeRegistry } = await testRegistry(settings));
    for (const n of ['a', 'b']) {
      const r = await registry.enrol(dev(n), `${id}-pat-${n}`);
      if (!r.ok || r.value.password === null) throw new Error(`could not enrol ${dev(n)}`);
      secrets.set(dev(n), r.value.password);
    }
    port = await freePort();
    mkdirSync(join(dir, 'data'));
    await writeBrokerFiles();
    writeFileSync(join(dir, 'mosquitto.conf'), renderBrokerConfig(dir, port, { user: userInfo().username }));
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitUntil(`mosquitto on ${port}`, () => accepts(port), 10_000);

    settings = ingestSettings(id, {
      VIGIL_MQTT_URL: `mqtt://127.0.0.1:${port}`,
      VIGIL_MQTT_USERNAME: 'vigil-ingest',
      VIGIL_MQTT_PASSWORD: ingestPassword,
    });
    ingest = await startIngest(settings);
    output = await IngestOutput.start(settings);
  }, 60_000);

  afterAll(async () => {
    await output?.stop();
    await ingest?.app.close();
    await closeRegistry?.();
    if (broker && broker.exitCode === null) {
      const exited = new Promise((r) => broker.once('exit', r));
      broker.kill('SIGTERM');
      await exited;
    }
    await cleanUp(ingestSettings(id)); // Kafka topics and Redis keys (its MQTT sessions were on the broker just stopped)
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const asDevice = (name: string, password = secrets.get(dev(name)) as string) =>
    TestDevice.connect(settings, dev(name), { username: dev(name), password }, `mqtt://127.0.0.1:${port}`);

  it('accepts a device with its own credentials on its own topic', async () => {
    const a = await asDevice('a');
    await a.publish({ ts: Date.now(), seq: 1, hr: 72 });
    await waitUntil('device a’s sample', () => output.samplesOf(dev('a')).length === 1);
    await a.close();
  }, 30_000);

  it('refuses a device publishing under another device’s id (broker ACL), and nothing reaches Kafka for it', async () => {
    const a = await asDevice('a');
    await expect(
      a.publish({ ts: Date.now(), seq: 666, hr: 72 }, {}, telemetryTopic(dev('b'))),
    ).rejects.toThrow(/not authori[sz]ed|135/i);
    await a.close();
    // b's own next sample arrives: the spoofed one (seq 666) never did.
    const b = await asDevice('b');
    await b.publish({ ts: Date.now(), seq: 2, hr: 80 });
    await waitUntil('device b’s own sample', () => output.samplesOf(dev('b')).length === 1);
    expect(output.samplesOf(dev('b')).map((s) => s.seq)).toEqual([2]);
    expect(output.deadLettersOf(dev('b'))).toEqual([]);
    await b.close();
  }, 30_000);

  it('refuses a wrong password, an anonymous client, and a device after it is revoked and the broker reloaded', async () => {
    await expect(asDevice('a', 'not-the-secret')).rejects.toThrow(
      /not authori[sz]ed|bad user name or password|134|135/i,
    );
    await expect(
      connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0 }),
    ).rejects.toThrow(/not authori[sz]ed|135/i);

    expect((await registry.revoke(dev('a'))).ok).toBe(true);
    await writeBrokerFiles();
    broker.kill('SIGHUP'); // what `vigil devices mosquitto --reload` does
    await waitUntil(
      'device a to be refused',
      async () => {
        try {
          const a = await asDevice('a');
          await a.close();
          return false;
        } catch {
          return true;
        }
      },
      10_000,
    );
  }, 30_000);
});
