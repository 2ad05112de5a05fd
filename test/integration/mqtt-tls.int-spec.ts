import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { loadConfig } from '@vigil/config';
import { expireIngestSessions, MqttSession, mqttTlsOptions, type SessionMessage } from '@vigil/ingest';
import { prepareBrokerDir } from '@vigil/registry';
import { uniqueId, waitFor } from '@vigil/testing';

/**
 * MQTT over TLS with client certificates, against a real Mosquitto of this spec's own (a TLS listener
 * that requires a certificate signed by a CA openssl makes here): ingest's session connects with the
 * files VIGIL_MQTT_TLS_*_FILE name and receives what a device with its own certificate publishes; a
 * client without a certificate is refused.
 */
describe('MQTT over TLS with client certificates', () => {
  let dir: string;
  let broker: ChildProcess;
  let port: number;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

  /** A key and a certificate for `cn`, signed by the spec's CA. */
  const issue = (name: string, cn: string, san?: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    if (san) writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      `${name}.crt`,
      ...(san ? ['-extfile', `${name}.ext`] : []),
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-tls-'));
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=vigil-test-ca',
    );
    issue('server', 'localhost', 'IP:127.0.0.1,DNS:localhost');
    issue('ingest', 'vigil-ingest');
    issue('device', 'dev-tls-1');
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as AddressInfo;
        s.close(() => resolve(p));
      });
    });
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, '');
    const user = prepareBrokerDir(dir);
    writeFileSync(
      conf,
      [
        `user ${user}`,
        `listener ${port} 127.0.0.1`,
        `cafile ${join(dir, 'ca.crt')}`,
        `certfile ${join(dir, 'server.crt')}`,
        `keyfile ${join(dir, 'server.key')}`,
        'require_certificate true',
        'use_identity_as_username true',
        'allow_anonymous false',
        '',
      ].join('\n'),
    );
    prepareBrokerDir(dir);
    broker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await waitFor(
      `mosquitto (TLS) on ${port}`,
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
      10_000,
    );
  });

  afterAll(() => {
    broker?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = () =>
    loadConfig({
      VIGIL_MQTT_URL: `mqtts://127.0.0.1:${port}`,
      VIGIL_MQTT_TLS_CA_FILE: join(dir, 'ca.crt'),
      VIGIL_MQTT_TLS_CERT_FILE: join(dir, 'ingest.crt'),
      VIGIL_MQTT_TLS_KEY_FILE: join(dir, 'ingest.key'),
      VIGIL_INGEST_INSTANCE: uniqueId('tls'),
    });

  it("delivers a device's message to ingest's session, both authenticated by certificate", async () => {
    const config = settings();
    const session = new MqttSession({
      url: config.mqttUrl,
      clientId: `${config.ingestInstance}-0`,
      subscription: 'vigil/v1/devices/+/telemetry',
      sessionExpirySeconds: 0,
      receiveMaximum: 10,
      tls: mqttTlsOptions(config),
    });
    const received: SessionMessage[] = [];
    session.on('message', (message: SessionMessage, ack: () => void) => {
      received.push(message);
      ack();
    });
    await session.start();
    try {
      const device = await connectAsync(config.mqttUrl, {
        protocolVersion: 5,
        clientId: 'dev-tls-1',
        ca: readFileSync(join(dir, 'ca.crt')),
        cert: readFileSync(join(dir, 'device.crt')),
        key: readFileSync(join(dir, 'device.key')),
        reconnectPeriod: 0,
      });
      await device.publishAsync('vigil/v1/devices/dev-tls-1/telemetry', '{"ts":1,"seq":1,"hr":70}', {
        qos: 1,
      });
      await device.endAsync();
      await waitFor('the message over TLS', () => received.length > 0, 10_000);
      expect(received[0].topic).toBe('vigil/v1/devices/dev-tls-1/telemetry');
      expect(received[0].payload.toString()).toBe('{"ts":1,"seq":1,"hr":70}');
    } finally {
      await session.stop();
    }
    await expireIngestSessions(config); // the CLI's path (mqtt.js) over TLS too
  });

  it('refuses a client without a certificate, and one that does not trust the broker', async () => {
    const url = `mqtts://127.0.0.1:${port}`;
    await expect(
      connectAsync(url, { ca: readFileSync(join(dir, 'ca.crt')), reconnectPeriod: 0, connectTimeout: 5000 }),
    ).rejects.toThrow();
    await expect(
      connectAsync(url, {
        cert: readFileSync(join(dir, 'device.crt')),
        key: readFileSync(join(dir, 'device.key')),
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
});
