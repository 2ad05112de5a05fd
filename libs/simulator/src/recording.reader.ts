import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LABELS_FILE, SAMPLES_FILE, type RecordedSample, type RecordingLabels } from './recording';

export async function readLabels(dir: string): Promise<RecordingLabels> {
  return JSON.parse(await readFile(join(dir, LABELS_FILE), 'utf8')) as RecordingLabels;
}

/** The samples of a recording, one at a time, in file order (constant memory). */
export async function* readSamples(dir: string): AsyncGenerator<RecordedSample> {
  const lines = createInterface({ input: createReadStream(join(dir, SAMPLES_FILE)), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as RecordedSample;
    } catch (cause) {
      throw new Error(`${join(dir, SAMPLES_FILE)}:${n}: not JSON`, { cause });
    }
  }
}

/** The samples grouped by patient, each in time order. */
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
