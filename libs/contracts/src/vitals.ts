import { z } from 'zod';

/** The vital signs a wearable reports, in the order the model sees them as features. */
export const VITALS = ['hr', 'spo2', 'rr', 'temp', 'sbp', 'dbp', 'steps'] as const;
export type Vital = (typeof VITALS)[number];

/** Values of one instant; any vital may be missing (sensor dropout, device without that sensor). */
export type VitalValues = Partial<Record<Vital, number>>;

export interface VitalSpec {
  readonly label: string;
  readonly unit: string;
  /** Outside [min, max] a reading is physiologically impossible, so it is a device fault, not a patient. */
  readonly min: number;
  readonly max: number;
}

export const VITAL_SPECS: Readonly<Record<Vital, VitalSpec>> = {
  hr: { label: 'Heart rate', unit: 'bpm', min: 20, max: 300 },
  spo2: { label: 'SpO2', unit: '%', min: 40, max: 100 },
  rr: { label: 'Respiratory rate', unit: '/min', min: 2, max: 80 },
  temp: { label: 'Temperature', unit: '°C', min: 25, max: 45 },
  sbp: { label: 'Systolic BP', unit: 'mmHg', min: 40, max: 300 },
  dbp: { label: 'Diastolic BP', unit: 'mmHg', min: 20, max: 200 },
  steps: { label: 'Steps', unit: 'count', min: 0, max: 1000 },
};

/** A vital's reading on Kafka (already validated by ingest): a finite number, any vital may be missing. */
export const vitalValuesShape = Object.fromEntries(
  VITALS.map((v) => [v, z.number().finite().optional()]),
) as Record<Vital, z.ZodOptional<z.ZodNumber>>;
