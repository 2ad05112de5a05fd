import { RecordingWriter } from './recording.writer';
import { type SimulationLabels } from './recording';
import { VitalsSimulator, type SimulatorOptions } from './vitals-simulator';

/** Simulates `durationMs` of measurement time into a recording folder; returns its labels. */
export async function recordSimulation(
  options: SimulatorOptions,
  durationMs: number,
  dir: string,
  onProgress?: (doneMs: number) => void,
): Promise<SimulationLabels> {
  const sim = new VitalsSimulator(options);
  const writer = await RecordingWriter.create(dir);
  const end = sim.startMs + durationMs;
  const batch: ReturnType<VitalsSimulator['tick']>[number][] = [];
  let ticks = 0;
  while (sim.now < end) {
    batch.push(...sim.tick());
    if (++ticks % 60 === 0) {
      await writer.write(batch.splice(0));
      onProgress?.(sim.now - sim.startMs);
    }
  }
  await writer.write(batch);
  onProgress?.(durationMs);
  const labels: SimulationLabels = {
    meta: {
      seed: options.seed,
      startMs: sim.startMs,
      durationMs,
      rateHz: sim.rateHz,
      patients: sim.patients.length,
    },
    patients: sim.patients.map(({ patientId, deviceId, subgroup, bandEdge, profile }) => ({
      patientId,
      deviceId,
      subgroup,
      bandEdge,
      profile,
    })),
    episodes: sim.episodesUntil(end),
    confounders: sim.confoundersUntil(end),
  };
  await writer.close(labels);
  return labels;
}
