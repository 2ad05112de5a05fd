import { VITALS, type Vital } from '@vigil/contracts';
import { readObservation, type ObservationReading } from './fhir-observation';
import { checkSample, type AcceptedSample, type Refusal, type TimeWindow } from './sample-validation';

export interface DecodeOptions extends TimeWindow {
  readonly maxPayloadBytes: number;
  readonly maxBatchSamples: number;
}

export type PayloadFormat = 'v1' | 'v1-batch' | 'fhir-observation' | 'fhir-bundle' | 'unreadable';

/** What one MQTT payload turned into: samples to produce, and refusals to dead-letter (both may be non-empty). */
export interface Decoded {
  readonly format: PayloadFormat;
  readonly samples: readonly AcceptedSample[];
  readonly refusals: readonly Refusal[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const whole = (reason: Refusal['reason'], message: string): Decoded => ({
  format: 'unreadable',
  samples: [],
  refusals: [{ reason, message, payload: null }],
});

/**
 * Turns the raw bytes a device published under `deviceId` into validated samples. Never throws:
 * every way a payload can be wrong is a refusal with a reason. Telemetry v1 (one sample or
 * `{"samples": [...]}`) and FHIR R4 (`Observation`, `Bundle` of Observations) are accepted; in a
 * batch, each sample stands alone (a bad one is refused, its neighbours go through).
 */
export function decodeTelemetry(raw: Uint8Array, deviceId: string, options: DecodeOptions): Decoded {
  if (raw.byteLength > options.maxPayloadBytes) {
    return whole(
      'payload_too_large',
      `payload is ${raw.byteLength} bytes (limit ${options.maxPayloadBytes})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(raw));
  } catch (error) {
    return whole(
      'malformed_json',
      `not JSON: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}`,
    );
  }
  if (!isRecord(json))
    return whole(
      'schema_violation',
      `expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`,
    );

  if ('resourceType' in json) return decodeFhir(json, deviceId, options);
  if ('samples' in json) return decodeBatch(json, options);
  const check = checkSample(json, options);
  return check.ok
    ? { format: 'v1', samples: [check.sample], refusals: [] }
    : {
        format: 'v1',
        samples: [],
        refusals: [{ reason: check.reason, message: check.message, payload: null }],
      };
}

function decodeBatch(json: Record<string, unknown>, options: DecodeOptions): Decoded {
  const extra = Object.keys(json).filter((k) => k !== 'samples');
  if (extra.length > 0)
    return whole('schema_violation', `a batch has only "samples" (found ${extra.slice(0, 3).join(', ')})`);
  const list = json.samples;
  if (!Array.isArray(list)) return whole('schema_violation', 'samples must be an array');
  if (list.length === 0) return whole('schema_violation', 'samples must not be empty');
  if (list.length > options.maxBatchSamples) {
    return whole('batch_too_large', `batch of ${list.length} samples (limit ${options.maxBatchSamples})`);
  }
  const samples: AcceptedSample[] = [];
  const refusals: Refusal[] = [];
  const seen = new Set<number>();
  list.forEach((candidate: unknown, i) => {
    const check = checkSample(candidate, options);
    if (!check.ok) {
      refusals.push({
        reason: check.reason,
        message: `samples[${i}]: ${check.message}`,
        payload: JSON.stringify(candidate),
      });
    } else if (seen.has(check.sample.seq)) {
      refusals.push({
        reason: 'duplicate',
        message: `samples[${i}]: seq ${check.sample.seq} repeated in the batch`,
        payload: JSON.stringify(candidate),
      });
    } else {
      seen.add(check.sample.seq);
      samples.push(check.sample);
    }
  });
  return { format: 'v1-batch', samples, refusals };
}

function decodeFhir(json: Record<string, unknown>, deviceId: string, options: DecodeOptions): Decoded {
  if (json.resourceType === 'Observation') {
    const { samples, refusals } = fromObservations([json], deviceId, options);
    return { format: 'fhir-observation', samples, refusals: refusals.map((r) => ({ ...r, payload: null })) };
  }
  if (json.resourceType !== 'Bundle') {
    return whole(
      'schema_violation',
      `FHIR resourceType ${String(json.resourceType)} is not accepted (Observation or Bundle)`,
    );
  }
  const entries = json.entry;
  if (!Array.isArray(entries) || entries.length === 0)
    return whole('schema_violation', 'Bundle.entry must be a non-empty array');
  const maxEntries = options.maxBatchSamples * VITALS.length;
  if (entries.length > maxEntries)
    return whole('batch_too_large', `Bundle of ${entries.length} entries (limit ${maxEntries})`);
  const resources: unknown[] = [];
  const refusals: Refusal[] = [];
  entries.forEach((e: unknown, i) => {
    if (isRecord(e) && isRecord(e.resource) && e.resource.resourceType === 'Observation')
      resources.push(e.resource);
    else
      refusals.push({
        reason: 'schema_violation',
        message: `entry[${i}]: only Observation resources are accepted`,
        payload: JSON.stringify(e) ?? 'undefined',
      });
  });
  const fromObs = fromObservations(resources, deviceId, options);
  return { format: 'fhir-bundle', samples: fromObs.samples, refusals: [...refusals, ...fromObs.refusals] };
}

/**
 * Observations taken at the same instant make one sample (a watch reports HR and SpO2 together).
 * The sequence number is the `urn:vigil:seq` identifier, or the epoch-ms timestamp when absent.
 */
function fromObservations(
  resources: readonly unknown[],
  deviceId: string,
  options: DecodeOptions,
): { samples: AcceptedSample[]; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const groups = new Map<
    number,
    { seq: number | null; values: Partial<Record<Vital, number>>; sources: unknown[] }
  >();
  for (const resource of resources) {
    const read = readObservation(resource);
    const payload = JSON.stringify(resource);
    if (!read.ok) {
      refusals.push({ reason: 'schema_violation', message: read.message, payload });
      continue;
    }
    const r: ObservationReading = read.reading;
    if (r.deviceRef !== null && r.deviceRef !== deviceId) {
      refusals.push({
        reason: 'identity_mismatch',
        message: `Observation names Device/${r.deviceRef} but was published as ${deviceId}`,
        payload,
      });
      continue;
    }
    const group = groups.get(r.ts) ?? { seq: null, values: {}, sources: [] };
    const conflict = (Object.keys(r.values) as Vital[]).find((v) => group.values[v] !== undefined);
    if (conflict !== undefined || (r.seq !== null && group.seq !== null && r.seq !== group.seq)) {
      refusals.push({
        reason: 'schema_violation',
        message: `Observation: a second ${conflict ?? 'seq'} for ${new Date(r.ts).toISOString()}`,
        payload,
      });
      continue;
    }
    groups.set(r.ts, {
      seq: group.seq ?? r.seq,
      values: { ...group.values, ...r.values },
      sources: [...group.sources, resource],
    });
  }
  const samples: AcceptedSample[] = [];
  const seqs = new Set<number>();
  for (const [ts, g] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const payload = JSON.stringify(g.sources.length === 1 ? g.sources[0] : g.sources);
    const check = checkSample({ ts, seq: g.seq ?? ts, ...g.values }, options);
    if (!check.ok) refusals.push({ reason: check.reason, message: check.message, payload });
    else if (seqs.has(check.sample.seq))
      refusals.push({
        reason: 'duplicate',
        message: `seq ${check.sample.seq} repeated in the bundle`,
        payload,
      });
    else {
      seqs.add(check.sample.seq);
      samples.push(check.sample);
    }
  }
  return { samples, refusals };
}
