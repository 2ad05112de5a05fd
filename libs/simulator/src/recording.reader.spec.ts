import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABELS_FILE, SAMPLES_FILE, SAMPLES_HEADER, monitoredMs, recordingSpan } from './recording';
import { RecordingFormatError } from './recording-format.error';
import { readRecording, readSamples, readSamplesByPatient } from './recording.reader';

const T0 = 1_767_261_600_000; // 2026-01-01T10:00:00Z

/** A hospital's export, written by hand: two patients starting at different times, gaps as empty cells. */
const HOSPITAL_CSV = [
  SAMPLES_HEADER,
  `bed-7,watch-a,${T0 + 60_000},,88,94.5,18,,,,`,
  `bed-7,watch-a,${T0 + 61_000},,90,,18.5,37.4,,,`,
  // A row out of time order: the reader sorts per patient.
  `bed-7,watch-a,${T0 + 59_000},,87,95,,,,,`,
  `"ward 3, bed 2",patch-9,${T0 + 3_600_000},12,61,97,14,36.8,118,76,0`,
  `"ward 3, bed 2",patch-9,${T0 + 3_601_000},13,62,,,,,,3`,
  '',
].join('\r\n');

const HOSPITAL_LABELS = {
  episodes: [
    {
      patient: 'bed-7',
      type: 'sepsis',
      kind: 'clinical',
      start_ms: T0 + 60_000,
      end_ms: T0 + 62_000,
      note: 'x',
    },
  ],
  exportedBy: 'EHR 4.2',
};

describe(readRecording.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'vigil-reader-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (csv: string, labels: unknown = { episodes: [] }) => {
    await writeFile(join(dir, SAMPLES_FILE), csv);
    await writeFile(join(dir, LABELS_FILE), typeof labels === 'string' ? labels : JSON.stringify(labels));
  };
  const failure = async (read: () => Promise<unknown>): Promise<string> => {
    try {
      await read();
    } catch (e) {
      expect(e).toBeInstanceOf(RecordingFormatError);
      return (e as Error).message;
    }
    throw new Error('expected the read to fail');
  };
  const csvWith = (...rows: string[]) => [SAMPLES_HEADER, ...rows].join('\n') + '\n';

  it('reads a CSV a hospital brings: patients starting at different times, empty cells, quoted ids, CRLF', async () => {
    await write(HOSPITAL_CSV, HOSPITAL_LABELS);
    const r = await readRecording(dir);
    expect(r).toEqual({
      patients: [
        { patientId: 'bed-7', deviceId: 'watch-a', startMs: T0 + 59_000, endMs: T0 + 61_000, samples: 3 },
        {
          patientId: 'ward 3, bed 2',
          deviceId: 'patch-9',
          startMs: T0 + 3_600_000,
          endMs: T0 + 3_601_000,
          samples: 2,
        },
      ],
      episodes: [
        { patientId: 'bed-7', type: 'sepsis', category: 'clinical', start: T0 + 60_000, end: T0 + 62_000 },
      ],
      confounders: [],
      samples: 5,
    });
    // Without the simulator's meta, the span runs from the first to the last sample.
    expect(recordingSpan(r)).toEqual({ startMs: T0 + 59_000, durationMs: 3_543_000, rateHz: 1 });
    expect(monitoredMs(r, r.patients[0])).toBe(3000);

    const byPatient = await readSamplesByPatient(dir);
    expect(byPatient.get('bed-7')).toEqual([
      { patientId: 'bed-7', deviceId: 'watch-a', ts: T0 + 59_000, seq: 2, hr: 87, spo2: 95 },
      { patientId: 'bed-7', deviceId: 'watch-a', ts: T0 + 60_000, seq: 0, hr: 88, spo2: 94.5, rr: 18 },
      { patientId: 'bed-7', deviceId: 'watch-a', ts: T0 + 61_000, seq: 1, hr: 90, rr: 18.5, temp: 37.4 },
    ]);
    expect(byPatient.get('ward 3, bed 2')).toEqual([
      {
        patientId: 'ward 3, bed 2',
        deviceId: 'patch-9',
        ts: T0 + 3_600_000,
        seq: 12,
        hr: 61,
        spo2: 97,
        rr: 14,
        temp: 36.8,
        sbp: 118,
        dbp: 76,
        steps: 0,
      },
      { patientId: 'ward 3, bed 2', deviceId: 'patch-9', ts: T0 + 3_601_000, seq: 13, hr: 62, steps: 3 },
    ]);
  });

  it('streams samples in file order', async () => {
    await write(HOSPITAL_CSV, HOSPITAL_LABELS);
    const ts: number[] = [];
    for await (const s of readSamples(dir)) ts.push(s.ts - T0);
    expect(ts).toEqual([60_000, 61_000, 59_000, 3_600_000, 3_601_000]);
  });

  it('takes confounders and per-patient subgroups from labels.json, ignoring keys it does not know', async () => {
    await write(HOSPITAL_CSV, {
      ...HOSPITAL_LABELS,
      confounders: [
        { patient: 'bed-7', type: 'physio', start_ms: T0 + 59_000, end_ms: T0 + 61_000, by: 'PT' },
      ],
      patients: [{ patient: 'bed-7', subgroup: 'copd', bandEdge: 'low_spo2', mrn: '123' }],
    });
    const r = await readRecording(dir);
    expect(r.confounders).toEqual([
      { patientId: 'bed-7', type: 'physio', start: T0 + 59_000, end: T0 + 61_000 },
    ]);
    expect(r.patients.map((p) => [p.subgroup, p.bandEdge])).toEqual([
      ['copd', 'low_spo2'],
      [undefined, undefined],
    ]);
  });

  const samplesErrors: [string, string, string][] = [
    [
      'a vital that is not a number',
      csvWith(`p,d,${T0},0,80,95,14,,,,`, `p,d,${T0 + 1000},1,80,9x,14,,,,`),
      'samples.csv row 3, column spo2: "9x" is not a number',
    ],
    ['a missing ts_ms', csvWith(`p,d,,0,80,,,,,,`), 'samples.csv row 2, column ts_ms: is empty'],
    [
      'a ts_ms that is not epoch ms',
      csvWith(`p,d,2026-01-01T10:00:00Z,0,80,,,,,,`),
      'samples.csv row 2, column ts_ms: "2026-01-01T10:00:00Z" is not epoch milliseconds',
    ],
    ['a missing patient', csvWith(`,d,${T0},0,80,,,,,,`), 'samples.csv row 2, column patient: is empty'],
    ['too few cells', csvWith(`p,d,${T0},0,80`), 'samples.csv row 2: 5 cells, the header has 11'],
    [
      'a wrong header',
      'patientId,deviceId,ts,seq,hr\n',
      'samples.csv row 1: the header must be exactly "patient,device,ts_ms,seq,hr,spo2,rr,temp,sbp,dbp,steps"',
    ],
    ['an empty file', '', 'samples.csv is empty'],
  ];
  it.each(samplesErrors)('names file, row and column for %s', async (_, csv, message) => {
    await write(csv);
    expect(await failure(() => readRecording(dir))).toContain(message);
    expect(await failure(() => readSamplesByPatient(dir))).toContain(message);
  });

  const episode = { patient: 'bed-7', type: 'sepsis', kind: 'clinical', start_ms: T0, end_ms: T0 + 1000 };
  const labelErrors: [string, unknown, string][] = [
    [
      'a bad kind',
      { episodes: [episode, episode, episode, { ...episode, kind: 'medical' }] },
      'labels.json episodes[3].kind must be "clinical" or "technical"',
    ],
    ['no episodes', { confounders: [] }, 'labels.json episodes is missing'],
    [
      'a start that is not epoch ms',
      { episodes: [{ ...episode, start_ms: '2026-01-01' }] },
      'labels.json episodes[0].start_ms must be an integer (epoch milliseconds)',
    ],
    [
      'an end before the start',
      { episodes: [], confounders: [{ patient: 'bed-7', type: 'x', start_ms: T0, end_ms: T0 }] },
      'labels.json confounders[0].end_ms must be after start_ms',
    ],
    [
      'a patient without samples',
      { episodes: [{ ...episode, patient: 'bed-8' }] },
      'labels.json episodes[0].patient "bed-8" has no rows in samples.csv',
    ],
    ['not JSON', '{"episodes": [', 'labels.json is not JSON'],
    ['an array', [], 'labels.json must be a JSON object'],
  ];
  it.each(labelErrors)('names the key for %s in labels.json', async (_, labels, message) => {
    await write(HOSPITAL_CSV, labels);
    expect(await failure(() => readRecording(dir))).toContain(message);
  });

  it('says which file is missing', async () => {
    await writeFile(join(dir, LABELS_FILE), '{"episodes": []}');
    expect(await failure(() => readRecording(dir))).toMatch(/^samples\.csv cannot be read in .* \(ENOENT\)$/);
    await rm(join(dir, LABELS_FILE));
    expect(await failure(() => readRecording(dir))).toMatch(/^labels\.json cannot be read in .* \(ENOENT\)$/);
  });
});
