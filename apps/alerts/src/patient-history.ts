import { Injectable } from '@nestjs/common';
import type { AlertAudit, AlertView, PatientDetail, WindowScore } from '@vigil/contracts';

/** The patient view's vitals: one window per bucket, for this long. */
const BUCKET_MS = 30_000;
const KEEP_MS = 4 * 3600_000;
const MAX_POINTS = KEEP_MS / BUCKET_MS;
/** Alerts (and their audit records) remembered per patient. */
const MAX_ALERTS = 20;
const MAX_AUDITS = 200;

interface PatientMemory {
  lastSeenAt: number | null;
  readonly vitals: WindowScore[];
  readonly alerts: Map<string, AlertView>;
  readonly audits: AlertAudit[];
}

/**
 * What this gateway has seen of each patient, in memory and bounded: when data last came (wall
 * clock), recent scored windows thinned to one per 30 s for 4 h (about 500 points), the last
 * alerts and their lifecycle records. It is what the patient view, the "no data" state and the
 * FHIR Observations are drawn from; it starts empty at boot (the gateway's consumer group resumes where it stopped), so
 * a restarted gateway shows the vitals since its start — Kafka still has them all.
 */
@Injectable()
export class PatientHistory {
  private readonly patients = new Map<string, PatientMemory>();

  private of(patientId: string): PatientMemory {
    let memory = this.patients.get(patientId);
    if (!memory) {
      memory = { lastSeenAt: null, vitals: [], alerts: new Map(), audits: [] };
      this.patients.set(patientId, memory);
    }
    return memory;
  }

  onScore(score: WindowScore, now = Date.now()): void {
    const memory = this.of(score.patientId);
    memory.lastSeenAt = now;
    const last = memory.vitals[memory.vitals.length - 1];
    if (last !== undefined && Math.floor(last.at / BUCKET_MS) === Math.floor(score.at / BUCKET_MS)) {
      memory.vitals[memory.vitals.length - 1] = score; // the newest of its bucket
    } else if (last === undefined || score.at > last.at) {
      memory.vitals.push(score);
    }
    const horizon = score.at - KEEP_MS;
    while (memory.vitals.length > MAX_POINTS || (memory.vitals[0] && memory.vitals[0].at < horizon))
      memory.vitals.shift();
  }

  onAlert(view: AlertView): void {
    const { alerts } = this.of(view.patientId);
    alerts.delete(view.alertId);
    alerts.set(view.alertId, view);
    if (alerts.size > MAX_ALERTS) alerts.delete(alerts.keys().next().value as string);
  }

  onAudit(audit: AlertAudit): void {
    const { audits } = this.of(audit.patientId);
    audits.push(audit);
    if (audits.length > MAX_AUDITS) audits.shift();
  }

  lastSeenAt(patientId: string): number | null {
    return this.patients.get(patientId)?.lastSeenAt ?? null;
  }

  /** Measurement time of the patient's newest window. */
  lastWindowAt(patientId: string): number | null {
    const vitals = this.patients.get(patientId)?.vitals;
    return vitals && vitals.length > 0 ? vitals[vitals.length - 1].at : null;
  }

  /** The patient's kept windows (one per 30 s), newest first: the FHIR Observations. */
  windows(patientId: string): readonly WindowScore[] {
    return [...(this.patients.get(patientId)?.vitals ?? [])].reverse();
  }

  /** Patients with data, and when it last came. */
  seen(): IterableIterator<[string, { lastSeenAt: number | null }]> {
    return this.patients.entries();
  }

  detail(patientId: string): PatientDetail {
    const memory = this.patients.get(patientId);
    if (!memory) return { patientId, vitals: [], alerts: [], history: [] };
    return {
      patientId,
      vitals: [...memory.vitals],
      alerts: [...memory.alerts.values()].reverse(),
      history: [...memory.audits],
    };
  }
}
