import { z } from 'zod';
import {
  LOINC_BP_PANEL,
  LOINC_SYSTEM,
  LOINC_VITALS,
  UCUM_SYSTEM,
  UCUM_UNITS,
  VIGIL_SEQ_SYSTEM,
  type Vital,
} from '@vigil/contracts';
import { describeIssues } from './sample-validation';

/**
 * FHIR R4 `Observation` → the vitals it carries, in Vigil's units. Only what telemetry needs is
 * checked; other FHIR fields pass through unread. Values are converted from their UCUM unit (e.g.
 * [degF] → Cel) before the ranges are checked, so a range failure speaks in Vigil's units.
 */
const coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
const concept = z.looseObject({ coding: z.array(coding).min(1, 'code.coding must list at least one code') });
const quantity = z.looseObject({
  value: z.number({ error: 'valueQuantity.value must be a finite number' }),
  unit: z.string().optional(),
  system: z.string().optional(),
  code: z.string().optional(),
});
const observationSchema = z.looseObject({
  resourceType: z.literal('Observation'),
  status: z.enum(['final', 'amended', 'corrected', 'preliminary'], {
    error: 'status must be final, amended, corrected or preliminary',
  }),
  code: concept,
  effectiveDateTime: z.iso.datetime({ offset: true }).optional(),
  effectiveInstant: z.iso.datetime({ offset: true }).optional(),
  valueQuantity: quantity.optional(),
  component: z.array(z.looseObject({ code: concept, valueQuantity: quantity.optional() })).optional(),
  identifier: z
    .array(z.looseObject({ system: z.string().optional(), value: z.string().optional() }))
    .optional(),
  device: z.looseObject({ reference: z.string().optional() }).optional(),
});

export interface ObservationReading {
  /** Epoch ms of effectiveDateTime / effectiveInstant. */
  readonly ts: number;
  /** From identifier `urn:vigil:seq`, when the device sends one. */
  readonly seq: number | null;
  /** The device id of `device.reference` ("Device/<id>"), when present. */
  readonly deviceRef: string | null;
  readonly values: Partial<Record<Vital, number>>;
}

export type ObservationResult =
  | { readonly ok: true; readonly reading: ObservationReading }
  | { readonly ok: false; readonly message: string };

export function readObservation(resource: unknown): ObservationResult {
  const parsed = observationSchema.safeParse(resource);
  if (!parsed.success) return { ok: false, message: `Observation: ${describeIssues(parsed.error.issues)}` };
  const obs = parsed.data;
  const effective = obs.effectiveDateTime ?? obs.effectiveInstant;
  if (effective === undefined)
    return { ok: false, message: 'Observation: effectiveDateTime or effectiveInstant is required' };

  let seq: number | null = null;
  const seqId = obs.identifier?.find((i) => i.system === VIGIL_SEQ_SYSTEM);
  if (seqId !== undefined) {
    if (seqId.value === undefined || !/^\d{1,15}$/.test(seqId.value)) {
      return {
        ok: false,
        message: `Observation: identifier ${VIGIL_SEQ_SYSTEM} must be a non-negative integer`,
      };
    }
    seq = Number(seqId.value);
  }
  let deviceRef: string | null = null;
  if (obs.device?.reference !== undefined) {
    const m = /^(?:.*\/)?Device\/([^/]+)$/.exec(obs.device.reference);
    if (!m) return { ok: false, message: `Observation: device.reference must be Device/<id>` };
    deviceRef = m[1];
  }

  const values: Partial<Record<Vital, number>> = {};
  const loinc = loincCode(obs.code);
  if (loinc === LOINC_BP_PANEL) {
    if (!obs.component || obs.component.length === 0)
      return { ok: false, message: `Observation ${LOINC_BP_PANEL}: component is required` };
    for (const c of obs.component) {
      const code = loincCode(c.code);
      const vital = code === null ? undefined : LOINC_VITALS[code];
      if (vital === undefined || c.valueQuantity === undefined) {
        return {
          ok: false,
          message: `Observation ${LOINC_BP_PANEL}: component ${code ?? '(no LOINC code)'} is not a supported vital with valueQuantity`,
        };
      }
      const v = convert(vital, c.valueQuantity);
      if (typeof v === 'string') return { ok: false, message: v };
      values[vital] = v;
    }
  } else {
    const vital = loinc === null ? undefined : LOINC_VITALS[loinc];
    if (vital === undefined)
      return {
        ok: false,
        message: `Observation: LOINC code ${loinc ?? '(none)'} is not a vital Vigil reads`,
      };
    if (obs.valueQuantity === undefined)
      return { ok: false, message: `Observation ${loinc}: valueQuantity is required` };
    const v = convert(vital, obs.valueQuantity);
    if (typeof v === 'string') return { ok: false, message: v };
    values[vital] = v;
  }
  return { ok: true, reading: { ts: Date.parse(effective), seq, deviceRef, values } };
}

function loincCode(c: z.infer<typeof concept>): string | null {
  return c.coding.find((x) => x.system === LOINC_SYSTEM && x.code !== undefined)?.code ?? null;
}

/** The value in Vigil's unit, or a message naming the unit that is not accepted. */
function convert(vital: Vital, q: z.infer<typeof quantity>): number | string {
  const unit = q.system === UCUM_SYSTEM && q.code !== undefined ? q.code : (q.code ?? q.unit);
  const accepted = UCUM_UNITS[vital];
  const conversion = unit === undefined ? undefined : accepted[unit];
  if (conversion === undefined) {
    return `Observation ${vital}: unit ${unit ?? '(none)'} not accepted (UCUM ${Object.keys(accepted).join(', ')})`;
  }
  return Math.round((q.value * conversion.factor + conversion.offset) * 1000) / 1000;
}
