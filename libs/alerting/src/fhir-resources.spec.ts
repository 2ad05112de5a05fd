import type { AlertAudit, AlertEvent, WindowScore } from '@vigil/contracts';
import { fhirSchemaErrors } from '@vigil/testing';
import { applyToAlert } from './alert-lifecycle';
import {
  alertToDetectedIssue,
  fhirId,
  LOINC_OF,
  notificationToCommunication,
  scoreToObservations,
  searchBundle,
  UCUM_OF,
} from './fhir-resources';

const raised: AlertEvent = {
  v: 1,
  alertId: 'pat_7.clinical.1764680000000',
  patientId: 'pat_7',
  kind: 'clinical',
  state: 'raised',
  severity: 'high',
  reason: 'SpO2 86 % (usual 96 %) for 2 min, RR 26 /min (usual 14)',
  vitals: ['spo2', 'rr'],
  evidence: [{ source: 'baseline', vital: 'spo2', value: 86, usual: 96, score: -8 }],
  startedAt: 1_764_680_000_000,
  at: 1_764_680_120_000,
};
const open = applyToAlert(null, { kind: 'event', event: raised }).view;
const score: WindowScore = {
  v: 1,
  patientId: 'pat_7',
  at: 1_764_680_125_000,
  news2: 7,
  model: 1.4,
  contributions: null,
  latest: { hr: 118.4, spo2: 86, rr: 26, temp: 37.9, sbp: 96, dbp: 61, steps: 0 },
  usual: { hr: 72, spo2: 96 },
  deviation: 6.1,
  context: { activity: 'rest', night: true },
};

describe(alertToDetectedIssue.name, () => {
  it('maps an open alert to a preliminary DetectedIssue that is valid FHIR R4', () => {
    const issue = alertToDetectedIssue(open);
    expect(issue).toMatchObject({
      resourceType: 'DetectedIssue',
      id: 'pat-7.clinical.1764680000000',
      status: 'preliminary',
      severity: 'high',
      patient: { reference: 'Patient/pat-7', identifier: { system: 'urn:vigil:patient', value: 'pat_7' } },
      identifiedDateTime: '2025-12-02T12:53:20.000Z',
      detail: raised.reason,
      evidence: [
        { code: [{ coding: [{ system: 'http://loinc.org', code: '59408-5' }] }] },
        { code: [{ coding: [{ system: 'http://loinc.org', code: '9279-1' }] }] },
      ],
    });
    expect(issue).not.toHaveProperty('mitigation');
    expect(fhirSchemaErrors(issue)).toEqual([]);
  });

  it('marks an acknowledged alert final with the acknowledgement as mitigation; medium → moderate', () => {
    const acked = applyToAlert(
      { ...open, severity: 'medium' },
      { kind: 'ack', by: 'nurse@ward-3', at: 1_764_680_200_000 },
    ).view;
    const issue = alertToDetectedIssue(acked);
    expect(issue).toMatchObject({
      status: 'final',
      severity: 'moderate',
      mitigation: [
        {
          action: { text: 'acknowledged' },
          date: '2025-12-02T12:56:40.000Z',
          author: { identifier: { value: 'nurse@ward-3' } },
        },
      ],
    });
    expect(fhirSchemaErrors(issue)).toEqual([]);
  });
});

describe(notificationToCommunication.name, () => {
  it('maps an escalation step to a stat Communication about the DetectedIssue, addressed to its target', () => {
    const audit: AlertAudit = {
      v: 1,
      alertId: raised.alertId,
      patientId: 'pat_7',
      action: 'escalated',
      severity: 'high',
      by: 'vigil',
      at: 1_764_680_240_000,
      step: 1,
      target: 'oncall',
    };
    const communication = notificationToCommunication('n-1', audit, open);
    expect(communication).toMatchObject({
      resourceType: 'Communication',
      status: 'completed',
      priority: 'stat',
      about: [{ reference: 'DetectedIssue/pat-7.clinical.1764680000000' }],
      recipient: [{ display: 'oncall' }],
      payload: [{ contentString: `Escalated (high, step 1) to oncall: ${raised.reason}` }],
    });
    expect(fhirSchemaErrors(communication)).toEqual([]);
  });
});

describe(scoreToObservations.name, () => {
  it('maps each vital to an Observation with its LOINC code and UCUM unit, valid FHIR R4', () => {
    const observations = scoreToObservations(score);
    expect(observations).toHaveLength(7);
    const hr = observations.find((o) => (o.code as { text: string }).text === 'Heart rate');
    expect(hr).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      effectiveDateTime: '2025-12-02T12:55:25.000Z',
      valueQuantity: { value: 118.4, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    });
    for (const o of observations) expect(fhirSchemaErrors(o)).toEqual([]);
    expect(fhirSchemaErrors(searchBundle(observations, 'http://gw/fhir'))).toEqual([]);
  });

  it('uses the codes and units ingest reads FHIR in with (libs/contracts fhir.ts)', () => {
    expect(LOINC_OF).toEqual({
      hr: '8867-4',
      spo2: '59408-5',
      rr: '9279-1',
      temp: '8310-5',
      sbp: '8480-6',
      dbp: '8462-4',
      steps: '55423-8',
    });
    expect(UCUM_OF).toMatchObject({ spo2: '%', temp: 'Cel', sbp: 'mm[Hg]' });
    expect(scoreToObservations({ ...score, latest: { hr: Number.NaN } })).toEqual([]);
  });
});

describe('the schema check itself', () => {
  it('refuses what R4 does not allow (an unknown field, a wrong code)', () => {
    expect(fhirSchemaErrors({ ...alertToDetectedIssue(open), colour: 'red' })).not.toEqual([]);
    expect(fhirSchemaErrors({ ...alertToDetectedIssue(open), severity: 'catastrophic' })).not.toEqual([]);
  });

  it('makes FHIR ids of any Vigil id', () => {
    expect(fhirId('a_b:c')).toBe('a-b-c');
    expect(fhirId('x'.repeat(80))).toHaveLength(64);
  });
});
