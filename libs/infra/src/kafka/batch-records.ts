import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';
import { type Batch, type IHeaders, type KafkaMessage } from 'kafkajs';
import { TOPIC_SCHEMAS, type TopicName, type TopicPayloads } from '@vigil/contracts';

/** A record that passed its topic's schema. */
export interface DecodedRecord<T> {
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: T;
  /** The trace context of its traceparent header (ROOT_CONTEXT: none, or tracing off). */
  readonly trace: Context;
}

/** A record that did not: skipped (never fatal to the consumer), warned about and counted. */
export interface InvalidRecord {
  readonly offset: bigint;
  /** What was wrong, without the record's values (they may be a patient's vitals). */
  readonly reason: 'empty' | 'not_json' | 'schema';
  readonly detail: string;
}

/**
 * Pure: the records of a batch decoded as JSON and validated against their topic's contract schema
 * (libs/contracts TOPIC_SCHEMAS). Vigil's producers write valid records; anything else (a foreign
 * producer, an older or newer contract, a bit flip) is returned apart as a value, with a reason.
 * `traceOf` reads a record's trace context from its headers (the consumer edge passes the tracing
 * edge's; by default none).
 */
export function decodeRecords<T extends TopicName>(
  topic: T,
  messages: readonly KafkaMessage[],
  traceOf: (headers: IHeaders | undefined) => Context = () => ROOT_CONTEXT,
): { records: DecodedRecord<TopicPayloads[T]>[]; invalid: InvalidRecord[] } {
  const schema = TOPIC_SCHEMAS[topic];
  const records: DecodedRecord<TopicPayloads[T]>[] = [];
  const invalid: InvalidRecord[] = [];
  for (const m of messages) {
    const offset = BigInt(m.offset);
    if (!m.value || m.value.length === 0) {
      invalid.push({ offset, reason: 'empty', detail: 'no value' });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(m.value.toString('utf8'));
    } catch {
      invalid.push({ offset, reason: 'not_json', detail: 'not JSON' });
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success)
      records.push({
        offset,
        key: m.key ? m.key.toString('utf8') : null,
        value: parsed.data,
        trace: traceOf(m.headers),
      });
    else invalid.push({ offset, reason: 'schema', detail: describeIssues(parsed.error.issues) });
  }
  return { records, invalid };
}

/** Paths and messages of zod issues (zod's messages name the expected type, not the value). */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const shown = issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'record'}: ${i.message}`)
    .join('; ');
  return issues.length > 3 ? `${shown}; +${issues.length - 3} more` : shown;
}

/** The offset to commit once a whole batch is done: the one after its last record. */
export const offsetAfter = (batch: Pick<Batch, 'lastOffset'>): bigint => BigInt(batch.lastOffset()) + 1n;
