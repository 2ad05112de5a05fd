import { type Producer } from 'kafkajs';
import { register } from 'prom-client';
import { type AlertAudit, TOPICS } from '@vigil/contracts';
import { ConsumerEdge, KafkaConnection, physicalTopic } from '@vigil/infra';
import { deleteTopics, testKafka, testSettings, uniqueId, waitFor } from '@vigil/testing';

const audit = (n: number): AlertAudit => ({
  v: 1,
  alertId: `a-${n}`,
  patientId: `p-${n % 3}`,
  action: 'acknowledged',
  severity: 'high',
  by: 'nurse-1',
  at: n,
});

const metricValue = async (name: string, labels: Record<string, string>): Promise<number> => {
  const metric = (await register.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string> }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((n, v) => n + v.value, 0);
};

/**
 * The one consumer edge on the real Kafka: invalid records are skipped and counted while the valid
 * ones around them are handled; a handler that fails and a kafkajs that gives up on the consumer
 * (restartOnFailure → false) do not stop it: the edge restarts it and nothing committed is lost.
 */
describe('ConsumerEdge (real Kafka)', () => {
  const id = uniqueId('it-edge');
  const settings = testSettings(id);
  let kafka: KafkaConnection;
  let producer: Producer;
  const edges: ConsumerEdge<typeof TOPICS.audit>[] = [];

  beforeAll(async () => {
    kafka = new KafkaConnection(settings);
    await kafka.onModuleInit(); // creates the topics
    producer = testKafka().producer();
    await producer.connect();
  }, 60_000);

  /** The group's committed offset per partition (partitions it never committed left out). */
  const committedOffsets = async (group: string): Promise<Map<number, bigint>> => {
    const [offsets] = await kafka.adminClient.fetchOffsets({
      groupId: kafka.group(group),
      topics: [physicalTopic(settings.topicPrefix, TOPICS.audit)],
    });
    return new Map(
      offsets.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, BigInt(p.offset)]),
    );
  };
  const sum = (offsets: Map<number, bigint>): number =>
    [...offsets.values()].reduce((n, o) => n + Number(o), 0);

  afterAll(async () => {
    for (const e of edges) await e.stop();
    await producer?.disconnect();
    await kafka?.onApplicationShutdown();
    await deleteTopics(settings);
  }, 60_000);

  it('skips and counts invalid records, handles the rest, restarts after kafkajs gave up, and commits only handled batches', async () => {
    const topic = physicalTopic(settings.topicPrefix, TOPICS.audit);
    await producer.send({
      topic,
      messages: [
        { key: 'p-0', value: JSON.stringify(audit(0)) },
        { key: 'p-0', value: '{"v":' },
        { key: 'p-0', value: JSON.stringify({ ...audit(1), action: 'deleted' }) },
        { key: 'p-0', value: JSON.stringify(audit(2)) },
      ],
    });
    const handled: string[] = [];
    let failuresLeft = 2;
    const edge = new ConsumerEdge(kafka, {
      name: `edge-${id}`,
      topics: [TOPICS.audit],
      group: 'edge-spec',
      fromBeginning: true,
      // kafkajs gives up at once: the edge itself must bring the consumer back.
      consumer: { retry: { retries: 0, restartOnFailure: () => Promise.resolve(false) } },
      onBatch: (batch) => {
        if (failuresLeft-- > 0) throw new Error('handler failed (a dependency is down)');
        for (const r of batch.records) handled.push(r.value.alertId);
      },
    });
    edges.push(edge);
    await edge.start();
    await waitFor('the valid records handled after the restarts', () => handled.length >= 2, 60_000);
    expect(handled).toEqual(['a-0', 'a-2']);
    expect(
      await metricValue('vigil_kafka_invalid_records_total', { consumer: `edge-${id}` }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await metricValue('vigil_kafka_consumer_restarts_total', { consumer: `edge-${id}` }),
    ).toBeGreaterThanOrEqual(1);
    await waitFor('the edge healthy again', () => edge.check().up);

    // Committed after the handler: the group's offset is past the batch.
    await waitFor('the offset committed', async () => sum(await committedOffsets('edge-spec')) === 4);
  }, 120_000);

  it('commits no further than a handler asks ({ commit }), while fetching on', async () => {
    const topic = physicalTopic(settings.topicPrefix, TOPICS.audit);
    await producer.send({
      topic,
      messages: [3, 4, 5].map((n) => ({ key: 'p-0', value: JSON.stringify(audit(n)) })),
    });
    const handled: string[] = [];
    const asked = new Map<number, bigint>(); // partition → the offset the last batch asked to commit
    const edge = new ConsumerEdge(kafka, {
      name: `edge-commit-${id}`,
      topics: [TOPICS.audit],
      group: 'edge-spec-commit',
      fromBeginning: true,
      onBatch: (batch) => {
        for (const r of batch.records) handled.push(r.value.alertId);
        asked.set(batch.partition, batch.firstOffset + 1n); // as if holding all but the first record
        return { commit: batch.firstOffset + 1n };
      },
    });
    edges.push(edge);
    await edge.start();
    await waitFor('every valid record handled', () => handled.length >= 5, 60_000);
    expect(handled.sort()).toEqual(['a-0', 'a-2', 'a-3', 'a-4', 'a-5']); // each once: resolved, not fetched again
    // Commits go out in the background, after the handler returned.
    await waitFor(
      'the asked offsets committed',
      async () => (await committedOffsets('edge-spec-commit')).size === asked.size,
    );
    expect(await committedOffsets('edge-spec-commit')).toEqual(asked);
  }, 120_000);

  it('commits in the background, and awaits the last commits when stopped right after a batch', async () => {
    const topic = physicalTopic(settings.topicPrefix, TOPICS.audit);
    const end = (await kafka.adminClient.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    const handled: string[] = [];
    const edge = new ConsumerEdge(kafka, {
      name: `edge-stop-${id}`,
      topics: [TOPICS.audit],
      group: 'edge-spec-stop',
      fromBeginning: true,
      onBatch: (batch) => {
        for (const r of batch.records) handled.push(r.value.alertId);
      },
    });
    await edge.start();
    await waitFor('every valid record handled', () => handled.length >= 5, 60_000);
    await edge.stop(); // no waiting for the commit: stop itself must not leave it behind
    expect(sum(await committedOffsets('edge-spec-stop'))).toBe(end);
  }, 120_000);
});
