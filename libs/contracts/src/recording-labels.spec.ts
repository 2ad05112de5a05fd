import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecordingLabels, recordingLabelsJsonSchema } from './recording-labels';

// The published JSON Schema is generated from the zod schema the recording reader runs; this keeps them
// equal. To regenerate after changing recording-labels.ts, write recordingLabelsJsonSchema() (2-space
// JSON) to libs/contracts/schemas/recording-labels.schema.json.
const PUBLISHED = join(__dirname, '..', 'schemas', 'recording-labels.schema.json');

const episode = { patient: 'p1', type: 'desaturation', kind: 'clinical', start_ms: 1000, end_ms: 2000 };

describe(parseRecordingLabels.name, () => {
  it('equals the JSON Schema published in the repository', () => {
    expect(JSON.parse(readFileSync(PUBLISHED, 'utf8'))).toEqual(recordingLabelsJsonSchema());
  });

  it('accepts the minimal file a hospital writes, and ignores keys it does not know', () => {
    expect(parseRecordingLabels({ episodes: [] })).toEqual({ ok: true, labels: { episodes: [] } });
    const rich = {
      episodes: [{ ...episode, vitals: ['spo2', 'rr'], severity: 0.8 }],
      confounders: [{ patient: 'p1', type: 'exercise', start_ms: 5000, end_ms: 9000 }],
      patients: [{ patient: 'p1', device: 'd1', subgroup: '65+', bandEdge: null, profile: { age: 70 } }],
      meta: { seed: 1 },
      source: 'somewhere',
    };
    expect(parseRecordingLabels(rich)).toEqual({ ok: true, labels: rich });
  });

  it('names every problem by its path', () => {
    expect(
      parseRecordingLabels({
        episodes: [
          { ...episode, kind: 'medical' },
          { ...episode, start_ms: -5 },
          { ...episode, end_ms: 1000 },
          { ...episode, vitals: ['hr', 'bp'] },
          { kind: 'technical', start_ms: 1, end_ms: 2 },
        ],
        confounders: {},
      }),
    ).toEqual({
      ok: false,
      problems: [
        'episodes[0].kind must be "clinical" or "technical"',
        'episodes[1].start_ms must be epoch milliseconds (not negative)',
        'episodes[2].end_ms must be after start_ms',
        'episodes[3].vitals[1] must be one of hr, spo2, rr, temp, sbp, dbp, steps',
        'episodes[4].patient is missing',
        'episodes[4].type is missing',
        'confounders must be an array',
      ],
    });
    expect(parseRecordingLabels('labels')).toEqual({ ok: false, problems: ['must be a JSON object'] });
  });
});
