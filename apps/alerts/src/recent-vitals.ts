import { Injectable } from '@nestjs/common';
import { type WindowScore } from '@vigil/contracts';

/** Windows kept per patient: 120 × the 5 s stride = the last 10 minutes. */
const PER_PATIENT = 120;
/** Patients kept (the ones heard from least recently are dropped first). */
const PATIENTS = 20_000;

/**
 * The last windows of each patient (Kafka `vitals.scores`, fed by the gateway's one consumer,
 * AlertsConsumer), for `GET /fhir/Observation`. In memory and bounded: a restarted gateway serves
 * what arrived since (a window per patient each stride); Kafka, not this, is the record.
 */
@Injectable()
export class RecentVitals {
  private readonly windows = new Map<string, WindowScore[]>();

  /** The patient's windows, newest first. */
  of(patientId: string): readonly WindowScore[] {
    return [...(this.windows.get(patientId) ?? [])].reverse();
  }

  add(score: WindowScore): void {
    const list = this.windows.get(score.patientId) ?? [];
    this.windows.delete(score.patientId); // re-insert: the Map's order is least recently heard first
    list.push(score);
    if (list.length > PER_PATIENT) list.splice(0, list.length - PER_PATIENT);
    this.windows.set(score.patientId, list);
    if (this.windows.size > PATIENTS) this.windows.delete(this.windows.keys().next().value as string);
  }
}
