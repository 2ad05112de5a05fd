import { decodeTelemetry } from './decode-telemetry';
import { readObservation } from './fhir-observation';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const options = {
  now: NOW,
  maxPastMs: 3_600_000,
  maxFutureMs: 300_000,
  maxPayloadBytes: 65536,
  maxBatchSamples: 10,
};
const observation = (code: string, value: number, unit: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: '2026-03-01T12:00:00Z',
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  ...extra,
});
const decode = (x: unknown) => decodeTelemetry(Buffer.from(JSON.stringify(x)), 'dev-0001', options);

describe(readObservation.name, () => {
  it('reads heart rate, its seq identifier and its device', () => {
    const out = readObservation(
      observation('8867-4', 72, '/min', {
        identifier: [{ system: 'urn:vigil:seq', value: '41' }],
        device: { reference: 'Device/dev-0001' },
      }),
    );
    expect(out).toEqual({
      ok: true,
      reading: { ts: NOW, seq: 41, deviceRef: 'dev-0001', values: { hr: 72 } },
    });
  });

  it('converts UCUM units: °F, kPa and SpO2 as a fraction', () => {
    const value = (o: unknown) => {
      const r = readObservation(o);
      return r.ok ? r.reading.values : r.message;
    };
    expect(value(observation('8310-5', 98.6, '[degF]'))).toEqual({ temp: 37 });
    expect(value(observation('2708-6', 0.97, '1'))).toEqual({ spo2: 97 });
    expect(value(observation('8480-6', 16, 'kPa'))).toEqual({ sbp: 120.01 });
  });

  it('reads systolic and diastolic from a blood pressure panel', () => {
    const panel = {
      ...observation('85354-9', 0, ''),
      valueQuantity: undefined,
      component: [
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
          valueQuantity: { value: 128, code: 'mm[Hg]', system: 'http://unitsofmeasure.org' },
        },
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
          valueQuantity: { value: 84, code: 'mm[Hg]', system: 'http://unitsofmeasure.org' },
        },
      ],
    };
    const r = readObservation(JSON.parse(JSON.stringify(panel)));
    expect(r.ok && r.reading.values).toEqual({ sbp: 128, dbp: 84 });
  });

  it('says which unit it does not accept', () => {
    expect(readObservation(observation('8867-4', 72, 'Hz'))).toEqual({
      ok: false,
      message:
        'Observation hr: unit Hz not accepted (UCUM /min, 1/min, {beats}/min, {Beats}/min, {breaths}/min)',
    });
  });
});

describe(`${decodeTelemetry.name} (FHIR)`, () => {
  it('merges a Bundle of Observations taken at the same instant into one sample, seq = ts without an identifier', () => {
    const out = decode({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: observation('8867-4', 80, '/min') },
        { resource: observation('59408-5', 95, '%') },
        { resource: observation('9279-1', 16, '/min', { effectiveDateTime: '2026-03-01T12:00:01Z' }) },
      ],
    });
    expect(out.format).toBe('fhir-bundle');
    expect(out.refusals).toEqual([]);
    expect(out.samples).toEqual([
      { ts: NOW, seq: NOW, values: { hr: 80, spo2: 95 } },
      { ts: NOW + 1000, seq: NOW + 1000, values: { rr: 16 } },
    ]);
  });

  it('refuses an Observation that names another device, and an impossible value after conversion', () => {
    expect(
      decode(observation('8867-4', 80, '/min', { device: { reference: 'Device/dev-0002' } })).refusals[0]
        .reason,
    ).toBe('identity_mismatch');
    const hot = decode(observation('8310-5', 130, '[degF]'));
    expect(hot.refusals).toEqual([
      { reason: 'implausible_value', message: 'temp must be between 25 and 45 °C', payload: null },
    ]);
  });

  it('refuses non-Observation entries of a Bundle and keeps the rest', () => {
    const out = decode({
      resourceType: 'Bundle',
      entry: [{ resource: { resourceType: 'Patient' } }, { resource: observation('8867-4', 80, '/min') }],
    });
    expect(out.samples).toHaveLength(1);
    expect(out.refusals.map((r) => r.reason)).toEqual(['schema_violation']);
  });
});
