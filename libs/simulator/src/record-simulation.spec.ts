import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecordingLabels } from '@vigil/contracts';
import { recordSimulation } from './record-simulation';
import { readRecording, readSamplesByPatient } from './recording.reader';
import { LABELS_FILE, SAMPLES_FILE, SAMPLES_HEADER } from './recording';

describe(recordSimulation.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'vigil-rec-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes samples.csv and labels.json in the documented format, which the reader gives back', async () => {
    const startMs = Date.UTC(2026, 0, 1, 10);
    const plan = [
      { patientId: 'pat-0002', type: 'fever' as const, start: startMs + 60_000, end: startMs + 100 * 60_000 },
    ];
    const durationMs = 90 * 60_000;
    const labels = await recordSimulation({ seed: 3, patients: 4, startMs, episodes: plan }, durationMs, dir);

    const lines = (await readFile(join(dir, SAMPLES_FILE), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(SAMPLES_HEADER);
    expect(lines).toHaveLength(1 + 4 * 5400);
    expect(lines[1]).toMatch(/^pat-0001,dev-0001,1767261600000,0,\d+,[\d.]*,[\d.]*,[\d.]*,\d*,\d*,\d+$/);

    // labels.json: the documented keys, valid against the published schema, plus the simulator's extras.
    const json = JSON.parse(await readFile(join(dir, LABELS_FILE), 'utf8')) as Record<string, unknown>;
    expect(parseRecordingLabels(json)).toMatchObject({ ok: true });
    expect(Object.keys(json).sort()).toEqual(['confounders', 'episodes', 'meta', 'patients']);
    expect(json.episodes).toEqual([
      {
        patient: 'pat-0002',
        type: 'fever',
        kind: 'clinical',
        start_ms: startMs + 60_000,
        end_ms: startMs + durationMs, // clipped to the recording's end
        vitals: ['temp', 'hr'],
      },
    ]);
    expect(json.meta).toEqual({ seed: 3, startMs, durationMs, rateHz: 1, patients: 4 });
    expect(labels.confounders.length).toBeGreaterThan(0);

    const back = await readRecording(dir);
    expect(back.meta).toEqual(labels.meta);
    expect(back.samples).toBe(4 * 5400);
    expect(back.patients).toEqual(
      labels.patients.map((p) => ({
        patientId: p.patientId,
        deviceId: p.deviceId,
        startMs,
        endMs: startMs + durationMs - 1000,
        samples: 5400,
        subgroup: p.subgroup,
        bandEdge: p.bandEdge,
      })),
    );
    expect(back.episodes).toEqual(labels.episodes);
    expect(back.confounders).toEqual(labels.confounders);

    const byPatient = await readSamplesByPatient(dir);
    expect([...byPatient.keys()]).toEqual(['pat-0001', 'pat-0002', 'pat-0003', 'pat-0004']);
    expect(byPatient.get('pat-0002')!.map((s) => s.seq)).toEqual(Array.from({ length: 5400 }, (_, i) => i));
    // Temperature about once a minute, the optical vitals every second.
    const first = byPatient.get('pat-0001')!;
    expect(first.filter((s) => s.temp !== undefined).length).toBeLessThanOrEqual(90);
    expect(first.filter((s) => s.hr !== undefined).length).toBeGreaterThan(5000);
  });
});
