import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DETECTION_OPTIONS } from '@vigil/detection';
import { recordSimulation } from '@vigil/simulator';
import { type Progress, type Reconstructor } from './cli-edges';
import { evaluateRecording } from './recording-evaluation';

const silent = (): Progress => ({
  update: () => undefined,
  increment: () => undefined,
  stop: () => undefined,
});

describe(evaluateRecording.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'vigil-eval-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replays a labelled recording and scores its alerts against the labels, NEWS2 and z-score without a model', async () => {
    const startMs = Date.UTC(2026, 0, 1);
    const min = 60_000;
    const plan = [
      {
        patientId: 'pat-0001',
        type: 'desaturation' as const,
        start: startMs + 40 * min,
        end: startMs + 55 * min,
      },
      {
        patientId: 'pat-0002',
        type: 'flatline' as const,
        start: startMs + 60 * min,
        end: startMs + 70 * min,
      },
    ];
    const recording = join(dir, 'rec');
    await recordSimulation({ seed: 9, patients: 2, startMs, episodes: plan }, 120 * min, recording);

    // A stand-in reconstructor (identity on SpO2 and HR), to draw the reconstruction panel without a model.
    let reconstructed = 0;
    const identity: Reconstructor = {
      features: ['spo2', 'hr'],
      reconstruct: (raw, count) => {
        reconstructed += count;
        return Promise.resolve({ input: raw, reconstruction: raw });
      },
    };
    const r = await evaluateRecording(
      recording,
      DEFAULT_DETECTION_OPTIONS,
      null,
      'no model',
      5 * min,
      dir,
      () => undefined,
      silent,
      identity,
    );

    expect(r.samples).toBe(2 * 7200);
    expect(r.ran).toEqual(['vigil', 'news2', 'zscore']);
    expect(r.notRun['lstm-ae']).toBe('no model');
    for (const d of ['news2', 'zscore'] as const) {
      const report = r.reports[d];
      expect(report?.patientDays).toBeCloseTo(2 / 12, 10);
      expect(report?.episodes).toBe(1);
      expect(report?.technical.episodes).toBe(1);
      expect(report?.byType.desaturation.detected).toBe(1); // an SpO2 drop both must see
      expect(report?.ttdMedianMs).toBeLessThan(5 * min);
      expect((report?.trueAlerts ?? 0) + (report?.technicalAlerts ?? 0) + (report?.falseAlerts ?? 0)).toBe(
        report?.alerts,
      );
    }
    expect(r.curves.news2?.points.length).toBeGreaterThan(0);
    expect(r.pictures).toHaveLength(2);
    // Windows every 5 s around the desaturation (40–55 min, ±30 min margins): about 75 min / 5 s.
    expect(reconstructed).toBeGreaterThan(800);
    expect(reconstructed).toBeLessThan(950);
    expect(await readFile(r.pictures[1], 'utf8')).toContain('spo2 reconstructed');
    for (const p of r.pictures) {
      expect(existsSync(p)).toBe(true);
      expect((await readFile(p, 'utf8')).startsWith('<svg')).toBe(true);
    }
  }, 30_000);
});
