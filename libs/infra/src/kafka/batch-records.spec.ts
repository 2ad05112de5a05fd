import { Logger } from '@nestjs/common';
import { type Batch, type KafkaMessage } from 'kafkajs';
import { decodeJson, offsetAfter } from './batch-records';

const message = (offset: string, value: string | null): KafkaMessage => ({
  offset,
  value: value === null ? null : Buffer.from(value),
  key: null,
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe(decodeJson.name, () => {
  it('returns the JSON values with their offsets, skipping empty and non-JSON records', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
    const out = decodeJson<{ a: number }>(
      [message('5', '{"a":1}'), message('6', null), message('7', '{"a":')],
      't[0]',
      logger,
    );
    expect(out).toEqual([{ offset: 5n, value: { a: 1 } }]);
    expect(warnings).toEqual(['skipped a non-JSON record at t[0]@7']);
  });
});

describe(offsetAfter.name, () => {
  it('is the offset after the batch’s last record', () => {
    expect(offsetAfter({ lastOffset: () => '41' } as Batch)).toBe('42');
  });
});
