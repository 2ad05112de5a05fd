import { z } from 'zod';
import { VITALS } from './vitals';

/**
 * `labels.json` of a recording folder (docs/recording-format.md): the ground truth next to
 * `samples.csv`. This zod schema is the one definition: the recording reader validates with it, and
 * the JSON Schema published at `libs/contracts/schemas/recording-labels.schema.json` is generated
 * from it (a unit spec keeps the two equal).
 *
 * Objects are loose on purpose: keys a reader does not know are ignored, so richer label files (the
 * simulator writes `meta`, per-patient `profile`, per-episode `vitals`) still load.
 */
const missingOr = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is missing' : `must be ${what}`;

const epochMs = z
  .int({ error: missingOr('an integer (epoch milliseconds)') })
  .nonnegative({ error: 'must be epoch milliseconds (not negative)' });
const id = z.string({ error: missingOr('a string') }).min(1, { error: 'must not be empty' });

const patientId = id.meta({ description: 'A value of the patient column of samples.csv' });
const start = epochMs.meta({ description: 'Start, epoch milliseconds (inclusive)' });
const end = epochMs.meta({ description: 'End, epoch milliseconds (exclusive)' });

const endAfterStart = (x: { start_ms: number; end_ms: number }) => x.end_ms > x.start_ms;
const endAfterStartError = { error: 'must be after start_ms', path: ['end_ms'] };

export const labelledEpisodeSchema = z
  .looseObject({
    patient: patientId,
    type: id.meta({ description: 'What happened, e.g. desaturation, tachycardia, off_wrist (free text)' }),
    kind: z.enum(['clinical', 'technical'], { error: 'must be "clinical" or "technical"' }).meta({
      description: 'clinical: the patient; technical: the sensor (off the wrist, stuck, no data)',
    }),
    start_ms: start,
    end_ms: end,
    vitals: z
      .array(z.enum(VITALS, { error: `must be one of ${VITALS.join(', ')}` }), {
        error: 'must be an array of vital names',
      })
      .optional()
      .meta({ description: 'The vitals that depart from normal, most telling first (optional)' }),
  })
  .refine(endAfterStart, endAfterStartError)
  .meta({ description: 'An anomaly episode, [start_ms, end_ms) epoch ms' });

export const labelledConfounderSchema = z
  .looseObject({
    patient: patientId,
    type: id.meta({ description: 'e.g. exercise, artefact (free text)' }),
    start_ms: start,
    end_ms: end,
  })
  .refine(endAfterStart, endAfterStartError)
  .meta({
    description:
      'A stretch that looks abnormal but is expected (exercise and its recovery, a motion artefact): ' +
      'alerts here are false alerts during confounders. [start_ms, end_ms) epoch ms',
  });

export const labelledPatientSchema = z
  .looseObject({
    patient: patientId,
    device: id.optional(),
    subgroup: z.string({ error: 'must be a string' }).optional().meta({
      description: 'Reporting subgroup, e.g. an age band 18-39 / 40-64 / 65+',
    }),
    bandEdge: z.string({ error: 'must be a string or null' }).nullable().optional().meta({
      description:
        'Second grouping: whose usual vitals sit at a NEWS2 band edge (low_sbp, low_rr, low_spo2, low_hr) or null',
    }),
  })
  .meta({ description: 'Optional facts about a patient of samples.csv' });

export const recordingLabelsSchema = z
  .looseObject(
    {
      episodes: z.array(labelledEpisodeSchema, { error: missingOr('an array') }),
      confounders: z.array(labelledConfounderSchema, { error: 'must be an array' }).optional(),
      patients: z.array(labelledPatientSchema, { error: 'must be an array' }).optional(),
      meta: z.looseObject({}, { error: 'must be an object' }).optional().meta({
        description:
          'How the recording was made (the simulator writes seed, startMs, durationMs, rateHz, patients)',
      }),
    },
    { error: 'must be a JSON object' },
  )
  .meta({ description: 'Ground truth of a recording folder, next to samples.csv' });

export type LabelledEpisodeJson = z.infer<typeof labelledEpisodeSchema>;
export type LabelledConfounderJson = z.infer<typeof labelledConfounderSchema>;
export type LabelledPatientJson = z.infer<typeof labelledPatientSchema>;
export type RecordingLabelsJson = z.infer<typeof recordingLabelsSchema>;

/** Validates parsed labels.json; problems as `episodes[3].kind must be "clinical" or "technical"`. */
export function parseRecordingLabels(
  json: unknown,
): { ok: true; labels: RecordingLabelsJson } | { ok: false; problems: string[] } {
  const r = recordingLabelsSchema.safeParse(json);
  if (r.success) return { ok: true, labels: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${jsonPath(i.path)} ${i.message}`.trim()) };
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}

/** The JSON Schema (draft 2020-12) of labels.json, generated from the zod schema above. */
export function recordingLabelsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(recordingLabelsSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://vigil.example/schemas/recording-labels.schema.json',
    title: 'Vigil recording labels (labels.json)',
  };
}
