import {
  type DeadLetterReason,
  LOINC_SYSTEM,
  UCUM_SYSTEM,
  VIGIL_SEQ_SYSTEM,
  type Vital,
  VITALS,
} from '@vigil/contracts';
import { type Random } from '@vigil/simulator';

/**
 * Generators of telemetry for tests and benchmarks: plausible samples, and malformed payloads that
 * each must become exactly one dead letter with a known reason. Seeded, so a failure reproduces.
 */
export interface FuzzLimits {
  readonly now: number;
  readonly maxPastMs: number;
  readonly maxFutureMs: number;
  readonly maxPayloadBytes: number;
  readonly maxBatchSamples: number;
}

export interface MalformedPayload {
  readonly kind: string;
  readonly payload: Buffer;
  readonly reason: DeadLetterReason;
}

const NORMAL: Readonly<Record<Vital, readonly [number, number]>> = {
  hr: [55, 110],
  spo2: [92, 100],
  rr: [10, 22],
  temp: [36, 37.8],
  sbp: [100, 145],
  dbp: [60, 92],
  steps: [0, 3],
};
const IMPOSSIBLE: Readonly<Record<Vital, readonly [number, number]>> = {
  hr: [301, 2000],
  spo2: [100.5, 180],
  rr: [81, 400],
  temp: [46, 120],
  sbp: [301, 900],
  dbp: [201, 700],
  steps: [1001, 1e6],
};

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One plausible telemetry v1 sample; each vital present with probability 0.9 (sensor dropouts). */
export function validSample(rng: Random, seq: number, ts: number): Record<string, number> {
  const sample: Record<string, number> = { ts, seq };
  for (const v of VITALS) if (rng.chance(0.9)) sample[v] = round1(rng.uniform(...NORMAL[v]));
  return sample;
}

const json = (x: unknown) => Buffer.from(JSON.stringify(x));

type Generator = (rng: Random, seq: number, limits: FuzzLimits, deviceId: string) => MalformedPayload;

const gen = (
  kind: string,
  reason: DeadLetterReason,
  make: (rng: Random, seq: number, l: FuzzLimits, deviceId: string) => Buffer | string,
): [string, Generator] => [
  kind,
  (rng, seq, l, deviceId) => {
    const out = make(rng, seq, l, deviceId);
    return { kind, reason, payload: typeof out === 'string' ? Buffer.from(out) : out };
  },
];

const obs = (deviceRef: string, code: string, value: number, unit: string, ts: number, seq: number) => ({
  resourceType: 'Observation',
  status: 'final',
  identifier: [{ system: VIGIL_SEQ_SYSTEM, value: String(seq) }],
  code: { coding: [{ system: LOINC_SYSTEM, code }] },
  device: { reference: `Device/${deviceRef}` },
  effectiveDateTime: new Date(ts).toISOString(),
  valueQuantity: { value, unit, system: UCUM_SYSTEM, code: unit },
});

const GENERATORS: readonly [string, Generator][] = [
  gen('truncated-json', 'malformed_json', (r, s, l) => {
    const text = JSON.stringify(validSample(r, s, l.now));
    return text.slice(0, r.int(0, text.length - 1));
  }),
  gen('nan-literal', 'malformed_json', (_r, s, l) => `{"ts":${l.now},"seq":${s},"hr":NaN}`),
  gen('infinity-literal', 'malformed_json', (_r, s, l) => `{"ts":${l.now},"seq":${s},"spo2":Infinity}`),
  gen('trailing-comma', 'malformed_json', (_r, s, l) => `{"ts":${l.now},"seq":${s},"hr":70,}`),
  gen('invalid-utf8', 'malformed_json', (r) =>
    Buffer.from(Array.from({ length: r.int(1, 64) }, () => r.pick([0xff, 0xfe, 0xc3, 0x80, 0x7b]))),
  ),
  gen('random-bytes', 'malformed_json', (r) =>
    Buffer.from([0xff, ...Array.from({ length: r.int(0, 256) }, () => r.int(0, 255))]),
  ),
  gen('empty', 'malformed_json', () => ''),
  gen('string-vital', 'schema_violation', (r, s, l) =>
    json({ ...validSample(r, s, l.now), hr: String(r.int(50, 90)) }),
  ),
  gen('overflow-number', 'schema_violation', (_r, s, l) => `{"ts":${l.now},"seq":${s},"hr":1e999}`),
  gen('negative-seq', 'schema_violation', (r, s, l) =>
    json({ ...validSample(r, s, l.now), seq: -r.int(1, 1e6) }),
  ),
  gen('fractional-seq', 'schema_violation', (r, s, l) => json({ ...validSample(r, s, l.now), seq: s + 0.5 })),
  gen('missing-ts', 'schema_violation', (r, s, l) => {
    const sample = validSample(r, s, l.now);
    delete sample.ts;
    return json(sample);
  }),
  gen('missing-seq', 'schema_violation', (r, s, l) => {
    const sample = validSample(r, s, l.now);
    delete sample.seq;
    return json(sample);
  }),
  gen('unknown-key', 'schema_violation', (r, s, l) =>
    json({ ...validSample(r, s, l.now), glucose: r.int(3, 9) }),
  ),
  gen('bad-date', 'schema_violation', (r, s) =>
    json({ ts: r.pick(['yesterday', '2024-13-45T00:00:00Z', '2024-01-01', '']), seq: s, hr: 70 }),
  ),
  gen('top-level-array', 'schema_violation', (r, s, l) => json([validSample(r, s, l.now)])),
  gen('top-level-scalar', 'schema_violation', (r) => json(r.pick([null, 42, 'hr=70', true]))),
  gen('samples-not-array', 'schema_violation', (r, s, l) => json({ samples: validSample(r, s, l.now) })),
  gen('samples-empty', 'schema_violation', () => json({ samples: [] })),
  gen('vital-object', 'schema_violation', (_r, s, l) => json({ ts: l.now, seq: s, hr: { value: 70 } })),
  gen('impossible-vital', 'implausible_value', (r, s, l) => {
    const v = r.pick(VITALS);
    return json({ ts: l.now, seq: s, [v]: round1(r.uniform(...IMPOSSIBLE[v])) });
  }),
  gen('zero-hr', 'implausible_value', (_r, s, l) => json({ ts: l.now, seq: s, hr: 0 })),
  gen('negative-vital', 'implausible_value', (r, s, l) =>
    json({ ts: l.now, seq: s, [r.pick(VITALS)]: -r.int(1, 100) }),
  ),
  gen('future-ts', 'timestamp_out_of_range', (r, s, l) =>
    json(validSample(r, s, l.now + l.maxFutureMs + r.int(60_000, 1e10))),
  ),
  gen('past-ts', 'timestamp_out_of_range', (r, s, l) =>
    json(validSample(r, s, Math.max(0, l.now - l.maxPastMs - r.int(60_000, 1e10)))),
  ),
  gen('future-iso', 'timestamp_out_of_range', (r, s, l) =>
    json({ ts: new Date(l.now + l.maxFutureMs + r.int(3_600_000, 1e11)).toISOString(), seq: s, hr: 70 }),
  ),
  gen('batch-too-large', 'batch_too_large', (r, s, l) =>
    json({
      samples: Array.from({ length: l.maxBatchSamples + r.int(1, 20) }, (_, i) => ({
        ts: l.now,
        seq: s * 1000 + i,
        hr: 70,
      })),
    }),
  ),
  gen('fhir-unknown-unit', 'schema_violation', (r, s, l, d) =>
    json(obs(d, '8867-4', r.int(50, 90), r.pick(['bpm', 'Hz', 'mmol/L']), l.now, s)),
  ),
  gen('fhir-unknown-code', 'schema_violation', (r, s, l, d) =>
    json(obs(d, r.pick(['2339-0', '1234-5', '29463-7']), r.int(50, 90), '/min', l.now, s)),
  ),
  gen('fhir-fever-fahrenheit-impossible', 'implausible_value', (r, s, l, d) =>
    json(obs(d, '8310-5', r.int(120, 300), '[degF]', l.now, s)),
  ),
  gen('fhir-wrong-resource', 'schema_violation', (_r, s) => json({ resourceType: 'Patient', id: `p${s}` })),
  gen('fhir-spoofed-device', 'identity_mismatch', (r, s, l, d) =>
    json(obs(`${d}-other`, '8867-4', r.int(50, 90), '/min', l.now, s)),
  ),
];

/** A few generators make payloads over the size limit; they are rare (they cost bandwidth, not insight). */
const OVERSIZE: Generator = (r, _s, l) => ({
  kind: 'oversize',
  reason: 'payload_too_large',
  payload: Buffer.alloc(l.maxPayloadBytes + r.int(1, 4096), 0x20),
});

export const MALFORMED_KINDS: readonly string[] = [...GENERATORS.map(([k]) => k), 'oversize'];

/** One malformed payload; `seq` keeps the payloads of a run distinct. */
export function malformedPayload(
  rng: Random,
  seq: number,
  limits: FuzzLimits,
  deviceId: string,
): MalformedPayload {
  if (rng.chance(0.005)) return OVERSIZE(rng, seq, limits, deviceId);
  return rng.pick(GENERATORS)[1](rng, seq, limits, deviceId);
}
