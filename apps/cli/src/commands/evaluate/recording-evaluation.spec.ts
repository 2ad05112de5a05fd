import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DETECTION_OPTIONS } from '@vigil/detection';
import { recordSimulation } from '@vigil/simulator';
import { writeFile } from 'node:fs/promises';
import { type Reconstructor } from '@vigil/evaluation';
import { type Progress } from './cli-edges';
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

  const min = 60_000;

  it('replays a labelled recording and scores its alerts against the labels, NEWS2 and z-score without a model', async () => {
    const startMs = Date.UTC(2026, 0, 1);
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

    // A stand-in reconstructor (identity on SpO2 and HR): no reconstruction panel without a model.
    let reconstructed = 0;
    const identity: Reconstructor = {
      features: ['spo2', 'hr'],
      reconstruct: (raw: Float32Array, count: number) => {
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
    expect(reconstructed).toBe(0);
    expect(await readFile(r.pictures[1], 'utf8')).not.toContain('spo2 reconstructed');
    for (const p of r.pictures) {
      expect(existsSync(p)).toBe(true);
      expect((await readFile(p, 'utf8')).startsWith('<svg')).toBe(true);
    }
  }, 30_000);

  it('reads a hospital’s CSV recording written by hand, and writes each raised alert as JSONL', async () => {
    const rec = join(dir, 'ward');
    mkdirSync(rec);
    const t0 = Date.UTC(2026, 2, 3, 9, 0, 0);
    // Two patients starting at different times; bed-2's SpO2 falls to 84 % after 40 minutes.
    const rows = ['patient,device,ts_ms,seq,hr,spo2,rr,temp,sbp,dbp,steps'];
    for (let s = 0; s < 3600; s++) {
      const bp = s % 1200 === 0 ? '121,78' : ',';
      const temp = s % 60 === 0 ? '36.7' : '';
      rows.push(`bed-1,w-1,${t0 + s * 1000},${s},${70 + (s % 3)},97.5,14.2,${temp},${bp},0`);
      if (s >= 300) {
        const spo2 = s < 2700 ? 97 : 84;
        rows.push(`bed-2,w-2,${t0 + s * 1000},${s - 300},${80 + (s % 2)},${spo2},15,,,,`);
      }
    }
    await writeFile(join(rec, 'samples.csv'), rows.join('\n') + '\n');
    await writeFile(
      join(rec, 'labels.json'),
      JSON.stringify({
        episodes: [
          {
            patient: 'bed-2',
            type: 'desaturation',
            kind: 'clinical',
            start_ms: t0 + 2700_000,
            end_ms: t0 + 3600_000,
          },
        ],
        ward: 'a key of the hospital’s own, ignored',
      }),
    );
    const alertsOut = join(dir, 'alerts.jsonl');
    const r = await evaluateRecording(
      rec,
      DEFAULT_DETECTION_OPTIONS,
      null,
      'no model',
      5 * min,
      null,
      () => undefined,
      silent,
      null,
      alertsOut,
    );

    expect(r.patients).toBe(2);
    expect(r.patientDays).toBeCloseTo((3600 + 3300) / 86_400, 3);
    expect(r.reports.vigil).toMatchObject({ episodes: 1, detected: 1, falseAlerts: 0 });
    const lines = (await readFile(alertsOut, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ patient: 'bed-2', device: 'w-2', kind: 'clinical', severity: 'high' });
    expect(Object.keys(lines[0]).sort()).toEqual([
      'device',
      'evidence',
      'kind',
      'patient',
      'reason',
      'severity',
      'ts_ms',
    ]);
    expect(lines[0].reason).toMatch(/^SpO2 84 %/);
  }, 30_000);

  it('names the row and column of a malformed cell', async () => {
    const rec = join(dir, 'bad');
    mkdirSync(rec);
    await writeFile(
      join(rec, 'samples.csv'),
      'patient,device,ts_ms,seq,hr,spo2,rr,temp,sbp,dbp,steps\nbed-1,w-1,1767600000000,0,72,97,14,,,,\nbed-1,w-1,1767600001000,1,72,9x,14,,,,\n',
    );
    await writeFile(join(rec, 'labels.json'), JSON.stringify({ episodes: [] }));
    await expect(
      evaluateRecording(
        rec,
        DEFAULT_DETECTION_OPTIONS,
        null,
        'no model',
        5 * min,
        null,
        () => undefined,
        silent,
      ),
    ).rejects.toThrow(/samples\.csv.*row 3.*spo2/);
  });
});
