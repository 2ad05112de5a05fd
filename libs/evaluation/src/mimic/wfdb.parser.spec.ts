import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WfdbError, parseWfdbHeader, readFormat16 } from './wfdb.parser';

// A real MIMIC-II numerics record (fixtures/mimic2/SOURCE.md), values checked with Python's struct module.
const dir = join(__dirname, '..', '..', 'fixtures', 'mimic2');
const headerText = readFileSync(join(dir, 's25047-2704-05-04-10-44n.hea'), 'utf8');
const dat = new Map([['3234460n.dat', new Uint8Array(readFileSync(join(dir, '3234460n.dat')))]]);

describe(parseWfdbHeader.name, () => {
  const header = parseWfdbHeader(headerText);

  it('reads the record line: 7 signals, 72 samples at 1/60 Hz, start 2704-05-04 10:44:18.529', () => {
    expect(header.record).toBe('s25047-2704-05-04-10-44n');
    expect(header.frequency).toBeCloseTo(1 / 60, 12);
    expect(header.samples).toBe(72);
    const d = new Date(header.startMs ?? NaN);
    expect([
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ]).toEqual([2704, 5, 4, 10, 44, 18, 529]);
    expect(header.comments).toEqual(['<age>: ?? <sex>: ?']);
  });

  it('reads each signal line: gain, baseline, units, checksum, name', () => {
    expect(header.signals.map((s) => s.description)).toEqual([
      'HR',
      'PULSE',
      'RESP',
      'SpO2',
      'NBPSys',
      'NBPDias',
      'NBPMean',
    ]);
    expect(header.signals[0]).toMatchObject({
      file: '3234460n.dat',
      format: 16,
      gain: 10,
      baseline: 0,
      units: 'bpm',
      initialValue: 1013,
      checksum: 29319,
    });
    expect(header.signals[4]).toMatchObject({ gain: 1, units: 'mmHg', initialValue: -32768 });
  });

  it('takes a baseline in parentheses over the ADC zero, and 200 for a zero gain', () => {
    const h = parseWfdbHeader('r 2 1 0\nr.dat 16 10(100)/bpm 16 5 0 0 0 HR\nr.dat 16 0/mV 16 5 0 0 0 X\n');
    expect(h.signals.map((s) => [s.gain, s.baseline, s.units])).toEqual([
      [10, 100, 'bpm'],
      [200, 5, 'mV'],
    ]);
    expect(h.startMs).toBeNull();
  });

  it('refuses formats it does not decode', () => {
    expect(() => parseWfdbHeader('r 1 250 10\nr.dat 212 200 12 0 0 0 0 ECG\n')).toThrow(WfdbError);
  });
});

describe(readFormat16.name, () => {
  const header = parseWfdbHeader(headerText);

  it('de-interleaves int16 samples, applies gain and baseline, and marks -32768 missing', () => {
    const { physical, digital } = readFormat16(header, dat);
    expect(physical).toHaveLength(7);
    expect(physical.every((p) => p.length === 72)).toBe(true);
    expect([...digital[0].subarray(0, 3)]).toEqual([1013, 1030, 895]);
    expect([...physical[0].subarray(0, 3)]).toEqual([101.3, 103, 89.5]);
    expect([...physical[2].subarray(0, 3)]).toEqual([16.5, 20.5, 21.2]);
    expect(physical[4][0]).toBeNaN();
    expect(physical[4][2]).toBe(87);
  });

  it('verifies the checksums, so a damaged file is caught', () => {
    const damaged = new Uint8Array(dat.get('3234460n.dat') ?? []);
    damaged[0] ^= 1;
    expect(() => readFormat16(header, new Map([['3234460n.dat', damaged]]))).toThrow(/checksum of HR/);
    expect(() => readFormat16(header, new Map([['3234460n.dat', damaged.subarray(0, 100)]]))).toThrow(
      WfdbError,
    );
  });
});
