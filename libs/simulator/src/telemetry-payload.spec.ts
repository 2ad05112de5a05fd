import { telemetryPayloadSchema } from '@vigil/contracts';
import { telemetryPayload } from './telemetry-payload';
import { VitalsSimulator, type SimulatedReading } from './vitals-simulator';

describe(telemetryPayload.name, () => {
  // Every episode type, so out-of-range physiology and sensor faults are covered too.
  const start = Date.UTC(2026, 0, 5, 12);
  const types = [
    'tachycardia',
    'bradycardia',
    'desaturation',
    'fever',
    'hypotension',
    'tachypnoea',
    'irregular_hr',
    'deterioration',
    'flatline',
    'off_wrist',
  ] as const;
  const sim = new VitalsSimulator({
    seed: 17,
    patients: types.length,
    startMs: start,
    episodes: types.map((type, i) => ({
      patientId: `pat-${String(i + 1).padStart(4, '0')}`,
      type,
      start: start + 60_000,
      end: start + 40 * 60_000,
    })),
  });
  const readings: SimulatedReading[] = [];
  for (let i = 0; i < 30 * 60; i++) readings.push(...sim.tick());

  it('writes telemetry v1 that the ingest schema accepts, for every reading the simulator makes', () => {
    const rejected = readings.filter(
      (r) => !telemetryPayloadSchema.safeParse(JSON.parse(telemetryPayload([r]))).success,
    );
    expect(rejected).toEqual([]);
  });

  it('leaves missing vitals out and batches several readings as {samples}', () => {
    const r: SimulatedReading = {
      patientId: 'p',
      deviceId: 'd',
      ts: 5,
      seq: 2,
      values: { hr: 60, steps: 0 },
      label: null,
    };
    expect(JSON.parse(telemetryPayload([r]))).toEqual({ ts: 5, seq: 2, hr: 60, steps: 0 });
    const batch = JSON.parse(telemetryPayload([r, { ...r, seq: 3 }])) as { samples: unknown[] };
    expect(batch.samples).toHaveLength(2);
    expect(telemetryPayloadSchema.safeParse(batch).success).toBe(true);
  });
});
