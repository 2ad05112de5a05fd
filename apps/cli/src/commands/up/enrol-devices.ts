import { type Settings } from '@vigil/config';
import { openRegistry } from '@vigil/registry';
import { VitalsSimulator } from '@vigil/simulator';

/**
 * Enrols the simulator's devices (the same ids `vigil simulate --devices n --seed s` uses), binds each
 * to its patient, and splits the patients between care teams team-a and team-b. Idempotent.
 */
export async function enrolDevices(
  config: Settings,
  devices: number,
  seed: number,
): Promise<{ teamA: number; teamB: number }> {
  const patients = new VitalsSimulator({ seed, patients: devices, startMs: 0, episodes: 'none' }).patients;
  const open = await openRegistry(config);
  let teamA = 0;
  try {
    for (const [i, p] of patients.entries()) {
      const team = i % 2 === 0 ? 'team-a' : 'team-b';
      if (team === 'team-a') teamA++;
      const result = await open.registry.enrol(p.deviceId, p.patientId, { careTeams: [team] });
      if (!result.ok) throw new Error(`could not enrol ${p.deviceId}: ${result.refusal.message}`);
    }
  } finally {
    await open.close();
  }
  return { teamA, teamB: patients.length - teamA };
}
