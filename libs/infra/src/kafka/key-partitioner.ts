import { type ICustomPartitioner, Partitioners } from 'kafkajs';

/** Keys remembered per topic before the memory starts over (a few per patient in practice). */
const MAX_KEYS = 100_000;

/**
 * kafkajs' DefaultPartitioner (murmur2, as the Java client: same key, same partition), with each
 * key's partition remembered. Vigil writes the same keys (patient ids) all day, and the default
 * hashes every message's key and filters the partition list per message: ~9 % of ingest's CPU
 * at 10,000 samples/s (bench e2e --cpu-prof). A change in the topic's partition count starts over.
 */
export const CachedKeyPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if ((message.partition !== null && message.partition !== undefined) || typeof key !== 'string')
      return partition(args);
    let known = byTopic.get(topic);
    if (!known || known.partitions !== partitionMetadata.length || known.keys.size >= MAX_KEYS)
      byTopic.set(topic, (known = { partitions: partitionMetadata.length, keys: new Map() }));
    let p = known.keys.get(key);
    if (p === undefined) known.keys.set(key, (p = partition(args)));
    return p;
  };
};
