import { connect, connectAsync, type MqttClient } from 'mqtt';
import { loadConfig } from '@vigil/config';
import { uniqueId, waitFor } from '@vigil/testing';

/**
 * The broker Vigil brings up (deploy/stack.sh, VIGIL_MQTT_URL) holds what it cannot deliver: a
 * persistent QoS 1 session that is offline (ingest while Kafka is away, or restarting) gets every
 * message when it comes back. Mosquitto's default (max_queued_messages 1000) dropped all but 1,000.
 */
describe("Vigil's MQTT broker (real Mosquitto, deploy/mosquitto/vigil-broker.conf)", () => {
  const { mqttUrl } = loadConfig();
  const id = uniqueId('it-queue');
  const topic = `${id}/telemetry`;
  const count = 6000;
  const session = { clientId: `${id}-sub`, protocolVersion: 5 as const, reconnectPeriod: 0 };
  let publisher: MqttClient | undefined;
  let subscriber: MqttClient | undefined;

  afterAll(async () => {
    await publisher?.endAsync();
    await subscriber?.endAsync();
    // Ends the session on the broker (expiry 0), so nothing of this test stays queued.
    const cleanup = await connectAsync(mqttUrl, {
      ...session,
      clean: true,
      properties: { sessionExpiryInterval: 0 },
    });
    await cleanup.endAsync();
  }, 30_000);

  it(`queues ${count} QoS 1 messages for an offline persistent session and delivers them all`, async () => {
    // A persistent session (clean start off, expiry 5 min) subscribes at QoS 1, then goes away.
    const first = await connectAsync(mqttUrl, {
      ...session,
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await first.subscribeAsync(topic, { qos: 1 });
    await first.endAsync();

    publisher = await connectAsync(mqttUrl, {
      protocolVersion: 5,
      clientId: `${id}-pub`,
      reconnectPeriod: 0,
    });
    const client = publisher;
    const publishes: Promise<unknown>[] = [];
    for (let seq = 0; seq < count; seq++) {
      publishes.push(client.publishAsync(topic, JSON.stringify({ seq, ts: seq, hr: 70 }), { qos: 1 }));
    }
    await Promise.all(publishes); // every PUBACK came from the broker: it has them all

    const seqs = new Set<number>();
    // The listener is in place before the connection: the queued messages follow the CONNACK at once.
    subscriber = connect(mqttUrl, { ...session, clean: false, properties: { sessionExpiryInterval: 300 } });
    subscriber.on('message', (_topic, payload) =>
      seqs.add((JSON.parse(payload.toString()) as { seq: number }).seq),
    );
    await waitFor(`${count} queued messages`, () => seqs.size >= count, 60_000).catch(() => undefined);
    expect(seqs.size).toBe(count);
  }, 90_000);
});
