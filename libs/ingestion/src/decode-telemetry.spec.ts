import { decodeTelemetry, type DecodeOptions } from './decode-telemetry';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const options: DecodeOptions = {
  now: NOW,
  maxPastMs: 3_600_000,
  maxFutureMs: 300_000,
  maxPayloadBytes: 4096,
  maxBatchSamples: 5,
};
const bytes = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
const decode = (x: unknown, o: Partial<DecodeOptions> = {}) =>
  decodeTelemetry(bytes(x), 'dev-0001', { ...options, ...o });

describe(decodeTelemetry.name, () => {
  it('accepts one sample with some vitals missing, epoch ms or RFC 3339', () => {
    expect(decode({ ts: NOW, seq: 7, hr: 72, spo2: 97 })).toEqual({
      format: 'v1',
      samples: [{ ts: NOW, seq: 7, values: { hr: 72, spo2: 97 } }],
      refusals: [],
    });
    expect(decode({ ts: '2026-03-01T13:00:00+01:00', seq: 8 }).samples).toEqual([
      { ts: NOW, seq: 8, values: {} },
    ]);
  });

  it('accepts a batch and refuses only its bad samples, each with its own payload', () => {
    const out = decode({
      samples: [
        { ts: NOW, seq: 1, hr: 70 },
        { ts: NOW, seq: 2, hr: 0 },
        { ts: NOW + 1000, seq: 3, rr: 14 },
        { ts: NOW, seq: 1, hr: 71 },
      ],
    });
    expect(out.samples.map((s) => s.seq)).toEqual([1, 3]);
    expect(out.refusals).toEqual([
      {
        reason: 'implausible_value',
        message: 'samples[1]: hr must be between 20 and 300 bpm',
        payload: '{"ts":1772366400000,"seq":2,"hr":0}',
      },
      {
        reason: 'duplicate',
        message: 'samples[3]: seq 1 repeated in the batch',
        payload: '{"ts":1772366400000,"seq":1,"hr":71}',
      },
    ]);
  });

  it.each([
    ['not JSON', '{"ts":', 'malformed_json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'malformed_json'],
    ['NaN literal', '{"ts":1,"seq":1,"hr":NaN}', 'malformed_json'],
    ['an array', [{ ts: NOW, seq: 1 }], 'schema_violation'],
    ['a string vital', { ts: NOW, seq: 1, hr: '70' }, 'schema_violation'],
    ['an overflowing number (Infinity)', `{"ts":${NOW},"seq":1,"hr":1e999}`, 'schema_violation'],
    ['a fractional seq', { ts: NOW, seq: 1.5 }, 'schema_violation'],
    ['an unknown key', { ts: NOW, seq: 1, glucose: 5 }, 'schema_violation'],
    ['SpO2 above 100 %', { ts: NOW, seq: 1, spo2: 101 }, 'implausible_value'],
    ['HR 400', { ts: NOW, seq: 1, hr: 400 }, 'implausible_value'],
    ['ts far in the future', { ts: NOW + 300_001, seq: 1 }, 'timestamp_out_of_range'],
    ['ts far in the past', { ts: NOW - 3_600_001, seq: 1 }, 'timestamp_out_of_range'],
    [
      'a batch over the limit',
      { samples: Array.from({ length: 6 }, (_, i) => ({ ts: NOW, seq: i })) },
      'batch_too_large',
    ],
    ['an empty batch', { samples: [] }, 'schema_violation'],
    ['a batch with extra keys', { samples: [{ ts: NOW, seq: 1 }], device: 'x' }, 'schema_violation'],
  ])('refuses %s with reason %s', (_what, payload, reason) => {
    const out = decodeTelemetry(Buffer.isBuffer(payload) ? payload : bytes(payload), 'dev-0001', options);
    expect(out.samples).toEqual([]);
    expect(out.refusals).toHaveLength(1);
    expect(out.refusals[0].reason).toBe(reason);
    expect(out.refusals[0].message.length).toBeGreaterThan(5);
  });

  it('refuses a payload over the byte limit before reading it', () => {
    const out = decode({ ts: NOW, seq: 1, pad: 'x'.repeat(5000) });
    expect(out.refusals).toEqual([
      {
        reason: 'payload_too_large',
        message: expect.stringContaining('(limit 4096)') as string,
        payload: null,
      },
    ]);
  });

  it('names the vital, the limits and the unit of an implausible value', () => {
    expect(decode({ ts: NOW, seq: 1, spo2: 101 }).refusals[0].message).toBe(
      'spo2 must be between 40 and 100 %',
    );
  });
});
