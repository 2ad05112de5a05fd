import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSimulation } from './record-simulation';
import { readLabels, readSamplesByPatient } from './recording.reader';
import { SAMPLES_FILE } from './recording';

describe(recordSimulation.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'vigil-rec-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes samples.jsonl and labels.json that the reader gives back', async () => {
    const startMs = Date.UTC(2026, 0, 1);
    const plan = [
      { patientId: 'pat-0002', type: 'fever' as const, start: startMs + 60_000, end: startMs + 10 * 60_000 },
    ];
    const labels = await recordSimulation({ seed: 3, patients: 2, startMs, episodes: plan }, 5 * 60_000, dir);

    const lines = (await readFile(join(dir, SAMPLES_FILE), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2 * 300);
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(first).toMatchObject({ patientId: 'pat-0001', deviceId: 'dev-0001', ts: startMs, seq: 0 });
    expect(typeof first.hr).toBe('number');

    const back = await readLabels(dir);
    expect(back).toEqual(labels);
    expect(back.meta).toEqual({ seed: 3, startMs, durationMs: 300_000, rateHz: 1, patients: 2 });
    expect(back.patients.map((p) => p.subgroup)).toHaveLength(2);
    // The episode is clipped to the recording's end.
    expect(back.episodes).toEqual([
      {
        patientId: 'pat-0002',
        type: 'fever',
        category: 'clinical',
        start: startMs + 60_000,
        end: startMs + 300_000,
        vitals: ['temp', 'hr'],
      },
    ]);

    const byPatient = await readSamplesByPatient(dir);
    expect([...byPatient.keys()]).toEqual(['pat-0001', 'pat-0002']);
    expect(byPatient.get('pat-0002')!.map((s) => s.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});
