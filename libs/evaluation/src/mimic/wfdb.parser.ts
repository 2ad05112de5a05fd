/**
 * WFDB records (PhysioNet): a text header (.hea) and signal files. Only what MIMIC-II numerics
 * use is supported: single-segment records, signal format 16 (little-endian two's-complement int16,
 * samples of the signals in one file interleaved). Pure: bytes and text in, numbers out.
 */
export interface WfdbSignal {
  readonly file: string;
  readonly format: number;
  /** ADC units per physical unit (WFDB's default 200 when the header says 0). */
  readonly gain: number;
  readonly baseline: number;
  readonly units: string;
  readonly adcZero: number;
  readonly initialValue: number;
  /** 16-bit sum of all samples, as the header records it (null when absent). */
  readonly checksum: number | null;
  readonly description: string;
}

export interface WfdbHeader {
  readonly record: string;
  /** Samples per second per signal (MIMIC-II numerics: 1/60). */
  readonly frequency: number;
  readonly samples: number;
  /** Start of the record, epoch ms (UTC, de-identified dates included), or null when absent. */
  readonly startMs: number | null;
  readonly signals: readonly WfdbSignal[];
  readonly comments: readonly string[];
}

export class WfdbError extends Error {}

const DEFAULT_GAIN = 200;

export function parseWfdbHeader(text: string): WfdbHeader {
  const lines = text.split(/\r?\n/);
  const comments = lines.filter((l) => l.startsWith('#')).map((l) => l.slice(1).trim());
  const body = lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (body.length === 0) throw new WfdbError('WFDB header: no record line');
  const [record, nsig, freq, nsamp, time, date] = body[0].trim().split(/\s+/);
  if (record.includes('/'))
    throw new WfdbError(`WFDB header: multi-segment record ${record} is not supported`);
  const count = Number(nsig);
  const frequency = freq ? Number(/^[^/(]+/.exec(freq)?.[0]) : 250;
  if (!Number.isInteger(count) || !(frequency > 0))
    throw new WfdbError(`WFDB header: bad record line "${body[0]}"`);
  const signals = body.slice(1, 1 + count).map(parseSignalLine);
  if (signals.length !== count)
    throw new WfdbError(`WFDB header: ${count} signals announced, ${signals.length} described`);
  return {
    record,
    frequency,
    samples: nsamp === undefined ? 0 : Number(nsamp),
    startMs: time ? parseStart(time, date) : null,
    signals,
    comments,
  };
}

function parseSignalLine(line: string): WfdbSignal {
  const f = line.trim().split(/\s+/);
  const [file, format, gainField = '', , adcZero = '0', initialValue = '0', checksum] = f;
  const fmt = Number(/^\d+/.exec(format)?.[0]);
  if (fmt !== 16) throw new WfdbError(`WFDB: signal format ${format} is not supported (only 16)`);
  // gain[(baseline)][/units]
  const g = /^([-+\d.eE]*)(?:\(([-\d]+)\))?(?:\/(.*))?$/.exec(gainField);
  if (!g) throw new WfdbError(`WFDB: bad gain "${gainField}"`);
  const gain = g[1] === '' || Number(g[1]) === 0 ? DEFAULT_GAIN : Number(g[1]);
  return {
    file,
    format: fmt,
    gain,
    baseline: g[2] !== undefined ? Number(g[2]) : Number(adcZero),
    units: g[3] ?? '',
    adcZero: Number(adcZero),
    initialValue: Number(initialValue),
    checksum: checksum === undefined ? null : Number(checksum),
    description: f.slice(8).join(' '),
  };
}

/** "[HH:]MM:SS[.sss]" and "DD/MM/YYYY" (WFDB's order) as epoch ms, UTC. */
function parseStart(time: string, date: string | undefined): number {
  const parts = time.split(':').map(Number);
  while (parts.length < 3) parts.unshift(0);
  const [h, m, s] = parts;
  const [dd, mm, yyyy] = (date ?? '01/01/1970').split('/').map(Number);
  if ([h, m, s, dd, mm, yyyy].some((x) => !Number.isFinite(x)))
    throw new WfdbError(`WFDB: bad start "${time} ${date}"`);
  const day = new Date(0);
  day.setUTCFullYear(yyyy, mm - 1, dd); // setUTCFullYear, unlike Date.UTC, takes years 0–99 literally
  return day.getTime() + ((h * 60 + m) * 60 + s) * 1000;
}

/** The int16 value WFDB writes for "no sample" in format 16. */
export const WFDB_INVALID = -32768;

export interface WfdbSignals {
  /** Physical values per signal (header order), NaN where the sample is invalid. */
  readonly physical: Float64Array[];
  /** Raw ADC values per signal. */
  readonly digital: Int16Array[];
}

/**
 * Decodes the signal files of a header; `files` maps a file name to its bytes. Checks each
 * signal's checksum when the header gives one, so a truncated or mis-read file is caught.
 */
export function readFormat16(header: WfdbHeader, files: ReadonlyMap<string, Uint8Array>): WfdbSignals {
  const digital: Int16Array[] = header.signals.map(() => new Int16Array(0));
  const byFile = new Map<string, number[]>();
  header.signals.forEach((s, i) => byFile.set(s.file, [...(byFile.get(s.file) ?? []), i]));
  for (const [file, indices] of byFile) {
    const bytes = files.get(file);
    if (!bytes) throw new WfdbError(`WFDB: signal file ${file} missing`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frames = Math.floor(bytes.byteLength / 2 / indices.length);
    const n = header.samples > 0 ? Math.min(header.samples, frames) : frames;
    if (header.samples > frames)
      throw new WfdbError(`WFDB: ${file} holds ${frames} samples per signal, header says ${header.samples}`);
    indices.forEach((signal, k) => {
      const out = new Int16Array(n);
      for (let t = 0; t < n; t++) out[t] = view.getInt16((t * indices.length + k) * 2, true);
      digital[signal] = out;
    });
  }
  header.signals.forEach((s, i) => {
    if (s.checksum === null) return;
    let sum = 0;
    for (const v of digital[i]) sum = (sum + v) & 0xffff;
    const signed = sum >= 0x8000 ? sum - 0x10000 : sum;
    if (signed !== s.checksum)
      throw new WfdbError(`WFDB: checksum of ${s.description} is ${signed}, header says ${s.checksum}`);
  });
  const physical = digital.map((d, i) => {
    const { gain, baseline } = header.signals[i];
    return Float64Array.from(d, (v) => (v === WFDB_INVALID ? NaN : (v - baseline) / gain));
  });
  return { physical, digital };
}
