import { type PartitionMetadata, Partitioners } from 'kafkajs';
import { CachedKeyPartitioner } from './key-partitioner';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  }));

describe('CachedKeyPartitioner', () => {
  it('puts every key where the DefaultPartitioner (murmur2) does, asked once or many times', () => {
    const cached = CachedKeyPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    for (const partitions of [12, 12, 7]) {
      const partitionMetadata = metadata(partitions);
      for (let i = 0; i < 2000; i++) {
        const message = { key: `patient-${i % 500}`, value: '{}' };
        expect(cached({ topic: 'vitals.samples', partitionMetadata, message })).toBe(
          reference({ topic: 'vitals.samples', partitionMetadata, message }),
        );
      }
    }
  });

  it('keeps an explicit partition, and spreads keyless messages as the default does', () => {
    const cached = CachedKeyPartitioner();
    const partitionMetadata = metadata(12);
    expect(cached({ topic: 't', partitionMetadata, message: { key: 'k', value: '', partition: 5 } })).toBe(5);
    const spread = new Set(
      Array.from({ length: 24 }, () => cached({ topic: 't', partitionMetadata, message: { value: '' } })),
    );
    expect(spread.size).toBe(12); // round robin over the partitions
  });
});
