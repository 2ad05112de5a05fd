import { type Settings } from '@vigil/config';

/** Registers the simulator's devices and binds each to its patient (filled in with the registry). */
export async function enrolDevices(_config: Settings, _devices: number): Promise<void> {
  await Promise.resolve();
}
