import { type Logger } from '@nestjs/common';
import { type Batch, type KafkaMessage } from 'kafkajs';

/**
 * The JSON values of a batch's records with their offsets. Vigil's producers write validated JSON;
 * a record that is not (a foreign producer) is skipped with a warning, never fatal to the consumer.
 */
export function decodeJson<T>(
  messages: readonly KafkaMessage[],
  where: string,
  logger: Logger,
): { offset: bigint; value: T }[] {
  const out: { offset: bigint; value: T }[] = [];
  for (const m of messages) {
    if (!m.value) continue;
    try {
      out.push({ offset: BigInt(m.offset), value: JSON.parse(m.value.toString()) as T });
    } catch {
      logger.warn(`skipped a non-JSON record at ${where}@${m.offset}`);
    }
  }
  return out;
}

/** The offset to commit once a whole batch is done: the one after its last record. */
export const offsetAfter = (batch: Batch): string => (BigInt(batch.lastOffset()) + 1n).toString();
