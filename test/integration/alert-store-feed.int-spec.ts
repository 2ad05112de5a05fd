import { type AlertView } from '@vigil/contracts';
import { RedisConnection } from '@vigil/infra';
import { AlertStore } from '@vigil/alerts';
import { testSettings, uniqueId } from '@vigil/testing';

/**
 * The alert store's compare-and-set write on the real Redis: each alert version is appended to the
 * clinicians' feed exactly once, whichever and however many gateways write it; a writer that read
 * an older version is refused (it re-reads and re-applies).
 */
describe('AlertStore compare-and-set and the event feed (real Redis)', () => {
  const id = uniqueId('it-storefeed');
  const settings = testSettings(id);
  const redis = new RedisConnection(settings);
  const store = new AlertStore(redis, settings);
  const stream = `${settings.topicPrefix}vigil:feed`;
  const view = (status: AlertView['status'], updatedAt: number): AlertView => ({
    alertId: `${id}-a1`,
    patientId: `${id}-p`,
    kind: 'clinical',
    status,
    severity: 'medium',
    reason: 'SpO2 88 %',
    vitals: ['spo2'],
    evidence: [],
    startedAt: 1000,
    updatedAt,
    acknowledgedBy: status === 'acknowledged' ? 'nurse-1' : null,
  });

  afterAll(async () => {
    const keys = await redis.client.keys(`${settings.topicPrefix}*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.onApplicationShutdown();
  });

  it('appends a version once when two gateways write it from the same read, and refuses a stale writer', async () => {
    const raised = view('open', 1000);
    const first = await store.put(raised, null);
    const second = await store.put(raised, null); // the other gateway, same record, same read
    expect(first).toMatch(/^\d+-\d+$/);
    expect(second).toBe(first);
    expect(await redis.client.xlen(stream)).toBe(1);

    const read = await store.read(raised.alertId);
    const acked = view('acknowledged', 2000);
    const ackId = await store.put(acked, read);
    expect(ackId).not.toBe(first);
    // A writer that read the raised version and computed something else: refused, nothing appended.
    expect(await store.put(view('escalated', 3000), read)).toBeNull();
    // One that read the raised version and computed the same ack: the stored id.
    expect(await store.put(acked, read)).toBe(ackId);
    expect((await store.get(raised.alertId))?.status).toBe('acknowledged');
    const entries = await redis.client.xrange(stream, '-', '+');
    expect(entries.map(([entryId]) => entryId)).toEqual([first, ackId]);
    const payload = (fields: string[]) => JSON.parse(fields[fields.indexOf('d') + 1] ?? '{}') as AlertView;
    expect(entries.map(([, fields]) => payload(fields).status)).toEqual(['open', 'acknowledged']);
  });
});
