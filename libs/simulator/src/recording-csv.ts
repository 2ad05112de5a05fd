import { VITALS, type Vital } from '@vigil/contracts';
import { SAMPLE_COLUMNS, SAMPLES_FILE, SAMPLES_HEADER, type RecordedSample } from './recording';
import { RecordingFormatError } from './recording-format.error';

/** One samples.csv row for a sample (no newline); an unmeasured vital is an empty cell. */
export function formatSampleRow(s: RecordedSample): string {
  let row = `${csvCell(s.patientId)},${csvCell(s.deviceId)},${s.ts},${s.seq}`;
  for (const v of VITALS) row += s[v] === undefined ? ',' : `,${s[v]}`;
  return row;
}

function csvCell(x: string): string {
  return /[",\r\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

/** The cells of one CSV line (RFC 4180 quoting, no line breaks inside cells), each trimmed. */
export function splitCsvLine(line: string, row: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new RecordingFormatError(SAMPLES_FILE, 'unterminated quoted cell', row);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      cells.push(cell);
      if (i >= line.length) return cells;
      if (line[i] !== ',')
        throw new RecordingFormatError(
          SAMPLES_FILE,
          'text after a quoted cell',
          row,
          SAMPLE_COLUMNS[cells.length - 1],
        );
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end).trim());
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses samples.csv line by line: first the header, then one sample per row. Pure (no I/O); throws
 * RecordingFormatError naming row and column. An empty `seq` is numbered per patient in file order.
 */
export class SampleCsvParser {
  private row = 0;
  private headerSeen = false;
  private readonly nextSeq = new Map<string, number>();

  /** The sample of the next line, or null for the header and blank lines. */
  parseLine(line: string): RecordedSample | null {
    this.row++;
    if (!this.headerSeen) {
      const header = line.replace(/^\uFEFF/, '').trim();
      if (
        header
          .split(',')
          .map((c) => c.trim())
          .join(',') !== SAMPLES_HEADER
      )
        throw new RecordingFormatError(
          SAMPLES_FILE,
          `the header must be exactly "${SAMPLES_HEADER}", got "${header}"`,
          this.row,
        );
      this.headerSeen = true;
      return null;
    }
    if (line.trim() === '') return null;
    const cells = splitCsvLine(line, this.row);
    if (cells.length !== SAMPLE_COLUMNS.length)
      throw new RecordingFormatError(
        SAMPLES_FILE,
        `${cells.length} cells, the header has ${SAMPLE_COLUMNS.length}`,
        this.row,
      );
    const [patientId, deviceId, tsCell, seqCell] = cells;
    if (patientId === '') throw this.error('patient', 'is empty');
    if (deviceId === '') throw this.error('device', 'is empty');
    if (tsCell === '') throw this.error('ts_ms', 'is empty (every row needs its measurement time)');
    const ts = this.integer('ts_ms', tsCell, 'epoch milliseconds');
    let seq: number;
    if (seqCell === '') seq = this.nextSeq.get(patientId) ?? 0;
    else seq = this.integer('seq', seqCell, 'a sequence number');
    this.nextSeq.set(patientId, seq + 1);
    const sample: { -readonly [K in keyof RecordedSample]: RecordedSample[K] } = {
      patientId,
      deviceId,
      ts,
      seq,
    };
    VITALS.forEach((v: Vital, k) => {
      const cell = cells[4 + k];
      if (cell === '') return;
      if (!NUMBER.test(cell)) throw this.error(v, `"${cell}" is not a number`);
      sample[v] = Number(cell);
    });
    return sample;
  }

  /** Throws when the file ended before its header. */
  finish(): void {
    if (!this.headerSeen)
      throw new RecordingFormatError(SAMPLES_FILE, `is empty: expected the header "${SAMPLES_HEADER}"`);
  }

  private integer(column: string, cell: string, what: string): number {
    const x = Number(cell);
    if (!NUMBER.test(cell) || !Number.isSafeInteger(x) || x < 0)
      throw this.error(column, `"${cell}" is not ${what} (a non-negative integer)`);
    return x;
  }

  private error(column: string, problem: string): RecordingFormatError {
    return new RecordingFormatError(SAMPLES_FILE, problem, this.row, column);
  }
}
