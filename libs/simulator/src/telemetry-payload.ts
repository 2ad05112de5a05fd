import { VITALS, type TelemetrySample } from '@vigil/contracts';
import { type SimulatedReading } from './vitals-simulator';

/** A reading as a device sends it (telemetry v1): ts, seq and the vitals it measured. */
export function toTelemetrySample(r: SimulatedReading): TelemetrySample {
  const s: Record<string, number> = { ts: r.ts, seq: r.seq };
  for (const v of VITALS) if (r.values[v] !== undefined) s[v] = r.values[v];
  return s as TelemetrySample;
}

/** The MQTT payload for one device's readings: one sample, or `{"samples": [...]}` for several. */
export function telemetryPayload(readings: readonly SimulatedReading[]): string {
  if (readings.length === 1) return JSON.stringify(toTelemetrySample(readings[0]));
  return JSON.stringify({ samples: readings.map(toTelemetrySample) });
}
