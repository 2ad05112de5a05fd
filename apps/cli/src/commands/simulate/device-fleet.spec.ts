import { DeviceFleet } from './device-fleet';

/** A connection whose PUBACKs arrive only when the spec says so. */
class FakeConnection {
  readonly published: { topic: string; payload: string; qos: number | undefined }[] = [];
  private readonly acks: (() => void)[] = [];
  ended = false;

  publishAsync = (topic: string, payload: string | Buffer, opts?: { qos?: number }) => {
    this.published.push({ topic, payload: String(payload), qos: opts?.qos });
    return new Promise<undefined>((resolve) => this.acks.push(() => resolve(undefined)));
  };
  endAsync = () => {
    this.ended = true;
    return Promise.resolve();
  };
  ack(): void {
    this.acks.shift()?.();
  }
}

describe(DeviceFleet.name, () => {
  it('publishes QoS 1 on the device topic and waits once a device has maxInFlight unacknowledged publishes', async () => {
    const conn = new FakeConnection();
    const fleet = new DeviceFleet(new Map([['dev-0001', conn]]), 2);
    await fleet.publish('dev-0001', 'a');
    await fleet.publish('dev-0001', 'b');
    let third = false;
    const p = fleet.publish('dev-0001', 'c').then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false); // bounded: no third message while two await PUBACK
    expect(conn.published.map((m) => m.payload)).toEqual(['a', 'b']);
    conn.ack();
    await p;
    expect(third).toBe(true);
    expect(conn.published).toEqual([
      { topic: 'vigil/v1/devices/dev-0001/telemetry', payload: 'a', qos: 1 },
      { topic: 'vigil/v1/devices/dev-0001/telemetry', payload: 'b', qos: 1 },
      { topic: 'vigil/v1/devices/dev-0001/telemetry', payload: 'c', qos: 1 },
    ]);
  });

  it('closes only after every outstanding PUBACK', async () => {
    const conn = new FakeConnection();
    const fleet = new DeviceFleet(new Map([['dev-0001', conn]]), 4);
    await fleet.publish('dev-0001', 'a');
    let closed = false;
    const c = fleet.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    conn.ack();
    await c;
    expect(conn.ended).toBe(true);
  });

  it('sends a publish again, same payload, until the broker acknowledges it', async () => {
    const conn = new FakeConnection();
    let refusals = 2;
    const publish = conn.publishAsync;
    conn.publishAsync = (topic, payload, opts) => {
      if (refusals-- > 0) {
        conn.published.push({ topic, payload: String(payload), qos: opts?.qos });
        return Promise.reject(new Error('No matching subscribers'));
      }
      const acked = publish(topic, payload, opts);
      conn.ack();
      return acked;
    };
    const fleet = new DeviceFleet(new Map([['dev-0001', conn]]), 4, 1);
    await fleet.publish('dev-0001', 'a');
    await fleet.close();
    expect(conn.published.map((m) => m.payload)).toEqual(['a', 'a', 'a']);
    expect(fleet.resent).toBe(2);
    expect(fleet.errors).toEqual({ count: 0, last: 'No matching subscribers' });
  });
});
