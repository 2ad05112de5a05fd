import {
  type AlertAudit,
  type AlertView,
  LOINC_SYSTEM,
  LOINC_VITALS,
  type Severity,
  UCUM_SYSTEM,
  UCUM_UNITS,
  type Vital,
  VITAL_SPECS,
  VITALS,
  type WindowScore,
} from '@vigil/contracts';

/**
 * Vigil's alerts and vitals as FHIR R4 resources (JSON), for the hospital: an alert is a
 * `DetectedIssue`, a notification about it (a new high alert, an escalation) a `Communication`,
 * a window's current vitals `Observation`s coded with LOINC and UCUM (the tables ingest reads FHIR
 * in with, libs/contracts/src/fhir.ts). Pure; validated against the R4 JSON schema in its spec.
 */

/** Identifier systems Vigil's resources carry (stable across replays: ids are deterministic). */
export const FHIR_SYSTEMS = {
  alert: 'urn:vigil:alert',
  patient: 'urn:vigil:patient',
  notification: 'urn:vigil:notification',
  alertKind: 'urn:vigil:alert-kind',
  user: 'urn:vigil:user',
} as const;

export interface FhirCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}
export interface FhirCodeableConcept {
  readonly coding?: readonly FhirCoding[];
  readonly text?: string;
}
export interface FhirReference {
  readonly reference?: string;
  readonly identifier?: { readonly system: string; readonly value: string };
  readonly display?: string;
}
export interface FhirResource {
  readonly resourceType: string;
  readonly id?: string;
  readonly [field: string]: unknown;
}
export interface FhirBundle {
  readonly resourceType: 'Bundle';
  readonly type: 'searchset' | 'collection';
  readonly total: number;
  readonly entry: readonly { readonly fullUrl?: string; readonly resource: FhirResource }[];
}

/** A FHIR id ([A-Za-z0-9.-]{1,64}) from any Vigil id: other characters become '-', long ones are cut. */
export function fhirId(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9.-]/g, '-');
  return (safe === '' ? '-' : safe).slice(0, 64);
}

const instant = (ms: number): string => new Date(ms).toISOString();

/** The patient by Vigil's id (an identifier, so an EHR can match its own record), and as Patient/<id>. */
export function patientReference(patientId: string): FhirReference {
  return {
    reference: `Patient/${fhirId(patientId)}`,
    identifier: { system: FHIR_SYSTEMS.patient, value: patientId },
  };
}

const DETECTED_ISSUE_SEVERITY: Readonly<Record<Severity, string>> = {
  high: 'high',
  medium: 'moderate',
  low: 'low',
};
const COMMUNICATION_PRIORITY: Readonly<Record<Severity, string>> = {
  high: 'stat',
  medium: 'urgent',
  low: 'routine',
};

/** The preferred LOINC code of each vital (the first that ingest accepts for it) and its display. */
export const LOINC_OF: Readonly<Record<Vital, string>> = Object.fromEntries(
  VITALS.map((v) => [v, Object.keys(LOINC_VITALS).find((code) => LOINC_VITALS[code] === v) as string]),
) as Record<Vital, string>;

/** Vigil's own unit of each vital as a UCUM code: the one ingest converts with factor 1, offset 0. */
export const UCUM_OF: Readonly<Record<Vital, string>> = Object.fromEntries(
  VITALS.map((v) => [
    v,
    Object.entries(UCUM_UNITS[v]).find(([, c]) => c.factor === 1 && c.offset === 0)?.[0] as string,
  ]),
) as Record<Vital, string>;

const vitalConcept = (vital: Vital): FhirCodeableConcept => ({
  coding: [{ system: LOINC_SYSTEM, code: LOINC_OF[vital], display: VITAL_SPECS[vital].label }],
  text: VITAL_SPECS[vital].label,
});

/**
 * An alert as a DetectedIssue. status: `preliminary` while nobody has looked (open, escalated),
 * `final` once acknowledged or resolved; a person's acknowledgement is its `mitigation`.
 */
export function alertToDetectedIssue(view: AlertView): FhirResource {
  const reviewed = view.status === 'acknowledged' || view.status === 'resolved';
  return {
    resourceType: 'DetectedIssue',
    id: fhirId(view.alertId),
    identifier: [{ system: FHIR_SYSTEMS.alert, value: view.alertId }],
    status: reviewed ? 'final' : 'preliminary',
    code: {
      coding: [{ system: FHIR_SYSTEMS.alertKind, code: view.kind, display: `${view.kind} alert` }],
      text: `${view.kind} alert (${view.status})`,
    },
    severity: DETECTED_ISSUE_SEVERITY[view.severity],
    patient: patientReference(view.patientId),
    identifiedDateTime: instant(view.startedAt),
    author: { display: 'Vigil' },
    detail: view.reason,
    ...(view.vitals.length > 0 ? { evidence: view.vitals.map((v) => ({ code: [vitalConcept(v)] })) } : {}),
    ...(view.acknowledgedBy !== null
      ? {
          mitigation: [
            {
              action: { text: view.status === 'resolved' ? 'acknowledged, then resolved' : 'acknowledged' },
              date: instant(view.updatedAt),
              author: { identifier: { system: FHIR_SYSTEMS.user, value: view.acknowledgedBy } },
            },
          ],
        }
      : {}),
  };
}

/** A notification about an alert (who was called, why) as a Communication about its DetectedIssue. */
export function notificationToCommunication(
  notificationId: string,
  audit: AlertAudit,
  view: AlertView | null,
): FhirResource {
  const recipient = audit.target ?? (audit.action === 'raised' ? 'care-team' : 'oncall');
  return {
    resourceType: 'Communication',
    id: fhirId(notificationId),
    identifier: [{ system: FHIR_SYSTEMS.notification, value: notificationId }],
    status: 'completed',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'alert' }],
      },
    ],
    priority: COMMUNICATION_PRIORITY[audit.severity],
    subject: patientReference(audit.patientId),
    about: [{ reference: `DetectedIssue/${fhirId(audit.alertId)}` }],
    sent: instant(audit.at),
    recipient: [{ display: recipient }],
    sender: { display: 'Vigil' },
    payload: [
      {
        contentString:
          audit.action === 'raised'
            ? `New ${audit.severity} alert: ${view?.reason ?? audit.alertId}`
            : `Escalated (${audit.severity}${audit.step ? `, step ${audit.step}` : ''}) to ${recipient}: ${
                view?.reason ?? audit.alertId
              }`,
      },
    ],
  };
}

/** A window's current vitals (the values Vigil judged) as vital-signs Observations, one per vital. */
export function scoreToObservations(score: WindowScore): FhirResource[] {
  const out: FhirResource[] = [];
  for (const vital of VITALS) {
    const value = score.latest[vital];
    if (value === undefined || !Number.isFinite(value)) continue;
    out.push({
      resourceType: 'Observation',
      id: fhirId(`${score.patientId}.${vital}.${score.at}`),
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: vital === 'steps' ? 'activity' : 'vital-signs',
            },
          ],
        },
      ],
      code: vitalConcept(vital),
      subject: patientReference(score.patientId),
      effectiveDateTime: instant(score.at),
      valueQuantity: {
        value: Math.round(value * 100) / 100,
        unit: UCUM_OF[vital],
        system: UCUM_SYSTEM,
        code: UCUM_OF[vital],
      },
    });
  }
  return out;
}

/** A searchset Bundle of resources (the answer of a FHIR search). */
export function searchBundle(resources: readonly FhirResource[], baseUrl: string): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({
      fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
    })),
  };
}
