import { loadConfig } from '@vigil/config';
import { type DeadLetter, type TopicName, type VitalSample } from '@vigil/contracts';
import { type KafkaConnection, type Keyed } from '@vigil/infra';
import { type DedupeStore } from '../dedupe/dedupe.store';
import { IngestMetrics } from '../ingest.metrics';
import { RecordWriter } from './record.writer';

type Batch = readonly { topic: TopicName; records: readonly Keyed<unknown>[] }[];

/** A Kafka edge that records requests; the test decides when each is acknowledged or fails. */
class FakeKafka {
  readonly requests: { batch: Batch; settle: (error?: Error) => void }[] = [];
  sendMany(batch: Batch): Promise<void> {
    return new Promise((resolve, reject) =>
      this.requests.push({ batch, settle: (error) => (error ? reject(error) : resolve()) }),
    );
  }
}

class FakeDedupe {
  readonly remembered: number[][] = [];
  readonly released: number[] = [];
  remember(samples: readonly { seq: number }[]): Promise<void> {
    this.remembered.push(samples.map((s) => s.seq));
    return Promise.resolve();
  }
  release(samples: readonly { seq: number }[]): void {
    this.released.push(...samples.map((s) => s.seq));
  }
}

const sample = (seq: number): Keyed<VitalSample> => ({
  key: 'pat-1',
  value: { v: 1, patientId: 'pat-1', deviceId: 'dev-1', ts: seq, seq, receivedAt: 0 },
});
const letter = (payload: string): Keyed<DeadLetter> => ({
  key: 'dev-1',
  value: {
    v: 1,
    reason: 'malformed_json',
    message: 'x',
    deviceId: 'dev-1',
    mqttTopic: 't',
    payload,
    payloadBytes: payload.length,
    payloadTruncatedAt: null,
    receivedAt: 0,
  },
});
const seqs = (batch: Batch) =>
  batch.flatMap((b) => b.records.map((r) => (r.value as { seq?: number }).seq ?? -1));
const tick = () => new Promise((r) => setImmediate(r));
/** Waits for a condition (event-loop turns, at most 2 s). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe(RecordWriter.name, () => {
  let kafka: FakeKafka;
  let dedupe: FakeDedupe;
  const make = (env: Record<string, string> = {}) =>
    new RecordWriter(
      kafka as unknown as KafkaConnection,
      new IngestMetrics(),
      dedupe as unknown as DedupeStore,
      loadConfig({ VIGIL_INGEST_LINGER_MS: '0', VIGIL_INGEST_MAX_BATCH_RECORDS: '3', ...env }),
    );

  beforeEach(() => {
    kafka = new FakeKafka();
    dedupe = new FakeDedupe();
  });

  it('sends what arrives during a request together in the next one, in order, and resolves each write after its ack', async () => {
    const writer = make({ VIGIL_INGEST_MAX_BATCH_RECORDS: '100' });
    const done: number[] = [];
    const write = (seq: number) =>
      writer.write({ samples: [sample(seq)], deadLetters: [] }).then(() => done.push(seq));
    void write(1);
    await tick();
    void write(2);
    void write(3);
    expect(kafka.requests).toHaveLength(1);
    kafka.requests[0].settle();
    await tick();
    await tick();
    expect(done).toEqual([1]);
    expect(dedupe.remembered).toEqual([[1]]);
    expect(kafka.requests.map((r) => seqs(r.batch))).toEqual([[1], [2, 3]]);
    kafka.requests[1].settle();
    await tick();
    await tick();
    expect(done).toEqual([1, 2, 3]);
    expect(dedupe.released).toEqual([1, 2, 3]);
  });

  it('caps a request by records; a message is never split', async () => {
    const writer = make();
    void writer.write({ samples: [sample(1), sample(2)], deadLetters: [] });
    void writer.write({ samples: [sample(3), sample(4)], deadLetters: [] });
    await tick();
    expect(seqs(kafka.requests[0].batch)).toEqual([1, 2]);
    kafka.requests[0].settle();
    await tick();
    await tick();
    expect(seqs(kafka.requests[1].batch)).toEqual([3, 4]);
  });

  it('retries a failed request before anything written later, so order holds and nothing is acknowledged meanwhile', async () => {
    const writer = make({ VIGIL_INGEST_MAX_BATCH_RECORDS: '100' });
    const done: number[] = [];
    void writer.write({ samples: [sample(1)], deadLetters: [] }).then(() => done.push(1));
    await tick();
    void writer.write({ samples: [sample(2)], deadLetters: [] }).then(() => done.push(2));
    kafka.requests[0].settle(new Error('broker gone'));
    await until(() => writer.failing !== null);
    expect(writer.failing).toBe('broker gone');
    await until(() => kafka.requests.length === 2); // after the back-off
    expect(done).toEqual([]);
    expect(seqs(kafka.requests[1].batch)).toEqual([1]);
    kafka.requests[1].settle();
    await until(() => kafka.requests.length === 3);
    expect(done).toEqual([1]);
    expect(writer.failing).toBeNull();
    expect(seqs(kafka.requests[2].batch)).toEqual([2]);
  });

  it('keeps a request under 512 kB by the size of dead-letter payloads', async () => {
    const writer = make({ VIGIL_INGEST_MAX_BATCH_RECORDS: '100000' });
    const big = 'x'.repeat(4096);
    for (let i = 0; i < 200; i++) void writer.write({ samples: [], deadLetters: [letter(big)] });
    kafka.requests[0].settle(); // the first went alone; the other 199 waited for it
    await until(() => kafka.requests.length === 2);
    const first = kafka.requests[1].batch.flatMap((b) => b.records).length;
    expect(first).toBeGreaterThan(50);
    expect(first).toBeLessThan(200);
    expect(first * (4096 + 300)).toBeLessThanOrEqual(512 * 1024);
  });
});
