// The pipeline as real processes, clinicians' clients and enrolment: shared by `vigil bench e2e`
// and the fault suite (test/faults).
export * from './app-processes';
export * from './clinician-client';
export { enrolDevices } from '../up/enrol-devices';
export * from './e2e-bench';
export * from './e2e-chart';
export * from './percentile';
export {
  DeviceFleet,
  deliveringConnection,
  type DeviceConnection,
  NO_MATCHING_SUBSCRIBERS,
} from '../simulate/device-fleet';
