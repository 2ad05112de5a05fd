import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LABELS_FILE, SAMPLES_FILE, type RecordedSample, type Recording } from './recording';
import { SampleCsvParser } from './recording-csv';
import { RecordingFormatError } from './recording-format.error';
import { recordingOf, type PatientSpan } from './recording-labels';

/**
 * Reads a recording folder's labels and the span of every patient in samples.csv (one streaming pass,
 * memory per patient, not per sample). Throws RecordingFormatError naming file, row and column.
 */
export async function readRecording(dir: string): Promise<Recording> {
  const labelsJson = await readLabelsJson(dir);
  const spans = new Map<string, { -readonly [K in keyof PatientSpan]: PatientSpan[K] }>();
  let samples = 0;
  for await (const s of readSamples(dir)) {
    samples++;
    const p = spans.get(s.patientId);
    if (!p) {
      spans.set(s.patientId, {
        patientId: s.patientId,
        deviceId: s.deviceId,
        startMs: s.ts,
        endMs: s.ts,
        samples: 1,
      });
      continue;
    }
    p.samples++;
    if (s.ts < p.startMs) p.startMs = s.ts;
    if (s.ts > p.endMs) p.endMs = s.ts;
  }
  return recordingOf(labelsJson, [...spans.values()], samples);
}

async function readLabelsJson(dir: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, LABELS_FILE), 'utf8');
  } catch (cause) {
    throw new RecordingFormatError(LABELS_FILE, `cannot be read in ${dir} (${errorCode(cause)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new RecordingFormatError(LABELS_FILE, `is not JSON: ${(cause as Error).message}`);
  }
}

/**
 * The samples of a recording, one at a time, in file order (constant memory). Rows of one patient
 * are expected in time order but not guaranteed: readSamplesByPatient sorts.
 */
export async function* readSamples(dir: string): AsyncGenerator<RecordedSample> {
  const input = createReadStream(join(dir, SAMPLES_FILE));
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (cause) {
    throw new RecordingFormatError(SAMPLES_FILE, `cannot be read in ${dir} (${errorCode(cause)})`);
  }
  const parser = new SampleCsvParser();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const s = parser.parseLine(line);
    if (s) yield s;
  }
  parser.finish();
}

/** The samples grouped by patient, each sorted by time (stable: rows with equal ts keep file order). */
export async function readSamplesByPatient(dir: string): Promise<Map<string, RecordedSample[]>> {
  const byPatient = new Map<string, RecordedSample[]>();
  for await (const s of readSamples(dir)) {
    let list = byPatient.get(s.patientId);
    if (!list) byPatient.set(s.patientId, (list = []));
    list.push(s);
  }
  for (const list of byPatient.values()) list.sort((a, b) => a.ts - b.ts);
  return byPatient;
}

function errorCode(cause: unknown): string {
  // Not `instanceof Error`: errors from node's fs can come from another realm (e.g. under jest).
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : String(cause);
}
