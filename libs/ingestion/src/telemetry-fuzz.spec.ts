import { decodeTelemetry } from './decode-telemetry';
import { Random } from '@vigil/simulator';
import { MALFORMED_KINDS, malformedPayload, validSample } from './telemetry-fuzz';

const limits = {
  now: Date.parse('2026-03-01T12:00:00Z'),
  maxPastMs: 7 * 86_400_000,
  maxFutureMs: 300_000,
  maxPayloadBytes: 262_144,
  maxBatchSamples: 600,
};

describe(malformedPayload.name, () => {
  it('makes 20,000 seeded payloads that each decode to exactly one refusal with the expected reason', () => {
    const rng = new Random(20260301);
    const kinds = new Set<string>();
    const wrong: string[] = [];
    for (let seq = 0; seq < 20_000; seq++) {
      const p = malformedPayload(rng, seq, limits, 'dev-0001');
      kinds.add(p.kind);
      const out = decodeTelemetry(p.payload, 'dev-0001', limits);
      if (out.samples.length !== 0 || out.refusals.length !== 1 || out.refusals[0].reason !== p.reason) {
        wrong.push(
          `${p.kind}: expected ${p.reason}, got ${JSON.stringify(out.refusals.map((r) => r.reason))} + ${out.samples.length} samples`,
        );
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect([...kinds].sort()).toEqual([...MALFORMED_KINDS].sort());
  });

  it('is reproducible from its seed', () => {
    const run = () => {
      const rng = new Random(7);
      return Array.from({ length: 50 }, (_, i) =>
        malformedPayload(rng, i, limits, 'dev-0001').payload.toString('base64'),
      ).join();
    };
    expect(run()).toBe(run());
  });
});

describe(validSample.name, () => {
  it('makes samples the decoder accepts', () => {
    const rng = new Random(1);
    for (let seq = 0; seq < 2000; seq++) {
      const out = decodeTelemetry(
        Buffer.from(JSON.stringify(validSample(rng, seq, limits.now))),
        'dev-0001',
        limits,
      );
      expect(out.refusals).toEqual([]);
    }
  });
});
