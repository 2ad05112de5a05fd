import type { Vital } from './vitals';

/**
 * FHIR R4 telemetry: which LOINC codes ingest understands, and the UCUM units each accepts with the
 * linear conversion to Vigil's unit (`value * factor + offset`).
 */
export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
/** An Observation's `identifier` with this system carries the device sequence number. */
export const VIGIL_SEQ_SYSTEM = 'urn:vigil:seq';
/** LOINC panel "Blood pressure panel with all children optional": systolic/diastolic in `component`. */
export const LOINC_BP_PANEL = '85354-9';

export const LOINC_VITALS: Readonly<Record<string, Vital>> = {
  '8867-4': 'hr', // Heart rate
  '59408-5': 'spo2', // Oxygen saturation in Arterial blood by Pulse oximetry
  '2708-6': 'spo2', // Oxygen saturation in Arterial blood
  '9279-1': 'rr', // Respiratory rate
  '8310-5': 'temp', // Body temperature
  '8480-6': 'sbp', // Systolic blood pressure
  '8462-4': 'dbp', // Diastolic blood pressure
  '55423-8': 'steps', // Number of steps in unspecified time Pedometer
};

export interface UnitConversion {
  readonly factor: number;
  readonly offset: number;
}
const same: UnitConversion = { factor: 1, offset: 0 };
const perMinute = {
  '/min': same,
  '1/min': same,
  '{beats}/min': same,
  '{Beats}/min': same,
  '{breaths}/min': same,
};

export const UCUM_UNITS: Readonly<Record<Vital, Readonly<Record<string, UnitConversion>>>> = {
  hr: perMinute,
  rr: perMinute,
  spo2: { '%': same, '1': { factor: 100, offset: 0 } },
  temp: { Cel: same, '[degF]': { factor: 5 / 9, offset: -32 * (5 / 9) }, K: { factor: 1, offset: -273.15 } },
  sbp: { 'mm[Hg]': same, kPa: { factor: 7.500617, offset: 0 } },
  dbp: { 'mm[Hg]': same, kPa: { factor: 7.500617, offset: 0 } },
  steps: { '{steps}': same, '1': same, '{count}': same },
};
