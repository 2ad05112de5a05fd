import { ROOT_CONTEXT } from '@opentelemetry/api';
import { type KafkaMessage } from 'kafkajs';
import { type AlertAudit, type VitalSample } from '@vigil/contracts';
import { decodeRecords, offsetAfter } from './batch-records';

const message = (offset: string, value: string | null, key: string | null = null): KafkaMessage => ({
  offset,
  value: value === null ? null : Buffer.from(value),
  key: key === null ? null : Buffer.from(key),
  timestamp: '0',
  attributes: 0,
  headers: {},
});

const sample: VitalSample = {
  v: 1,
  patientId: 'p-1',
  deviceId: 'd-1',
  ts: 1_700_000_000_000,
  seq: 7,
  receivedAt: 1_700_000_000_100,
  hr: 72,
  spo2: 97,
};

describe(decodeRecords.name, () => {
  it('returns valid records with offset and key, and the others apart with a reason', () => {
    const out = decodeRecords('vitals.samples', [
      message('5', JSON.stringify(sample), 'p-1'),
      message('6', null),
      message('7', '{"v":'),
      message('8', JSON.stringify({ ...sample, hr: 'fast' })),
      message('9', JSON.stringify({ hello: 'world' })),
    ]);
    expect(out.records).toEqual([{ offset: 5n, key: 'p-1', value: sample, trace: ROOT_CONTEXT }]);
    expect(out.invalid.map((i) => [i.offset, i.reason])).toEqual([
      [6n, 'empty'],
      [7n, 'not_json'],
      [8n, 'schema'],
      [9n, 'schema'],
    ]);
    expect(out.invalid[2].detail).toMatch(/^hr: /);
  });

  it('never puts a record’s values in the reason (they may be a patient’s vitals)', () => {
    const { invalid } = decodeRecords('vitals.samples', [
      message('1', JSON.stringify({ ...sample, spo2: 'x87x' })),
    ]);
    expect(invalid[0].detail).not.toContain('x87x');
  });

  it('keeps fields a newer producer added (forward compatible), validates per topic', () => {
    const audit: AlertAudit = {
      v: 1,
      alertId: 'a-1',
      patientId: 'p-1',
      action: 'acknowledged',
      severity: 'high',
      by: 'nurse-1',
      at: 1,
    };
    const out = decodeRecords('alerts.audit', [
      message('0', JSON.stringify({ ...audit, shift: 'night' })),
      message('1', JSON.stringify({ ...audit, action: 'deleted' })),
      message('2', JSON.stringify(sample)),
    ]);
    expect(out.records.map((r) => r.value)).toEqual([{ ...audit, shift: 'night' }]);
    expect(out.invalid.map((i) => i.offset)).toEqual([1n, 2n]);
  });

  it('validates every topic of the contract map', () => {
    const registry = decodeRecords('registry.changes', [
      message('0', JSON.stringify({ type: 'device.bound', deviceId: 'd-1', patientId: 'p-1', at: 1 })),
      message('1', JSON.stringify({ type: 'device.bound', deviceId: 'd 1', patientId: 'p-1', at: 1 })),
      message('2', JSON.stringify({ type: 'device.melted', deviceId: 'd-1', at: 1 })),
    ]);
    expect(registry.records).toHaveLength(1);
    expect(registry.invalid).toHaveLength(2);
    const limits = decodeRecords('patients.limits', [
      message(
        '0',
        JSON.stringify({ v: 1, patientId: 'p', limits: { spo2Scale: 2 }, by: 'dr', reason: 'COPD', at: 1 }),
      ),
      message(
        '1',
        JSON.stringify({ v: 1, patientId: 'p', limits: { spo2Scale: 3 }, by: 'dr', reason: 'COPD', at: 1 }),
      ),
    ]);
    expect(limits.records).toHaveLength(1);
    expect(limits.invalid).toHaveLength(1);
  });
});

describe(offsetAfter.name, () => {
  it('is the offset after the batch’s last record', () => {
    expect(offsetAfter({ lastOffset: () => '41' })).toBe(42n);
  });
});
