import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numericsToSamples, numericsVitals } from './mimic-numerics';
import { parseWfdbHeader, readFormat16 } from './wfdb.parser';

const dir = join(__dirname, '..', '..', 'fixtures', 'mimic2');
const header = parseWfdbHeader(readFileSync(join(dir, 's25047-2704-05-04-10-44n.hea'), 'utf8'));
const signals = readFormat16(
  header,
  new Map([['3234460n.dat', new Uint8Array(readFileSync(join(dir, '3234460n.dat')))]]),
);

describe(numericsVitals.name, () => {
  it('maps HR/RESP/SpO2/NBP to vitals, and MIMIC’s zeros ("not measured") to missing', () => {
    const rows = numericsVitals(header, signals);
    expect(rows).toHaveLength(72);
    // minute 0: HR 101.3, PULSE 0, RESP 16.5, SpO2 0, NBP invalid
    expect(rows[0]).toEqual({ hr: 101.3, rr: 16.5 });
    // minute 2: HR 89.5 (PULSE 88.5 ignored: HR preferred), SpO2 95.7, NBP 87/46
    expect(rows[2]).toEqual({ hr: 89.5, rr: 21.2, spo2: 95.7, sbp: 87, dbp: 46 });
  });

  it('falls back to PULSE when HR is missing', () => {
    const copy = { physical: signals.physical.map((p) => p.slice()), digital: signals.digital };
    copy.physical[0][2] = NaN;
    expect(numericsVitals(header, copy)[2].hr).toBe(88.5);
  });
});

describe(numericsToSamples.name, () => {
  it('holds each minute for 60 one-second samples, and no longer', () => {
    const rows = [{ hr: 80 }, {}, { hr: 90 }];
    const out = [
      ...numericsToSamples({ ...header, startMs: 0 }, rows, {
        patientId: 'm',
        deviceId: 'd',
        cadenceMs: 1000,
      }),
    ];
    expect(out).toHaveLength(180);
    expect(out[0]).toEqual({ patientId: 'm', deviceId: 'd', ts: 0, seq: 0, hr: 80 });
    expect(out[59]).toMatchObject({ ts: 59_000, hr: 80 });
    expect(out[60].hr).toBeUndefined();
    expect(out[120]).toMatchObject({ ts: 120_000, seq: 120, hr: 90 });
  });

  it('steps linearly between measured minutes on request, holding where the next minute is missing', () => {
    const rows = [{ hr: 60, rr: 10 }, { hr: 120 }];
    const out = [
      ...numericsToSamples({ ...header, startMs: 0 }, rows, {
        patientId: 'm',
        deviceId: 'd',
        cadenceMs: 1000,
        resample: 'linear',
      }),
    ];
    expect(out[30]).toMatchObject({ hr: 90, rr: 10 });
    expect(out[59].hr).toBe(119);
    expect(out[60].hr).toBe(120);
    expect(out[119].hr).toBe(120);
  });

  it('gives a cuff pressure once, on its minute’s first tick, without holding it', () => {
    const out = [
      ...numericsToSamples({ ...header, startMs: 0 }, [{ hr: 80, sbp: 120, dbp: 70 }], {
        patientId: 'm',
        deviceId: 'd',
        cadenceMs: 1000,
      }),
    ];
    expect(out[0]).toMatchObject({ hr: 80, sbp: 120, dbp: 70 });
    expect(out[1]).toEqual({ patientId: 'm', deviceId: 'd', ts: 1000, seq: 1, hr: 80 });
    expect(out.filter((s) => s.sbp !== undefined)).toHaveLength(1);
  });
});
