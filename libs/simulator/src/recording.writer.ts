import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { VITALS } from '@vigil/contracts';
import { LABELS_FILE, SAMPLES_FILE, type RecordingLabels } from './recording';
import { type SimulatedReading } from './vitals-simulator';

/** Streams readings to `samples.jsonl` (awaiting the disk when it is slower than the simulator). */
export class RecordingWriter {
  private constructor(
    readonly dir: string,
    private readonly stream: WriteStream,
  ) {}

  static async create(dir: string): Promise<RecordingWriter> {
    await mkdir(dir, { recursive: true });
    const stream = createWriteStream(join(dir, SAMPLES_FILE), { flags: 'w' });
    await once(stream, 'open');
    return new RecordingWriter(dir, stream);
  }

  async write(readings: readonly SimulatedReading[]): Promise<void> {
    let chunk = '';
    for (const r of readings) chunk += JSON.stringify(toLine(r)) + '\n';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Finishes samples.jsonl and writes labels.json. */
  async close(labels: RecordingLabels): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await writeFile(join(this.dir, LABELS_FILE), JSON.stringify(labels, null, 1) + '\n');
  }
}

function toLine(r: SimulatedReading): Record<string, string | number> {
  const line: Record<string, string | number> = {
    patientId: r.patientId,
    deviceId: r.deviceId,
    ts: r.ts,
    seq: r.seq,
  };
  for (const v of VITALS) {
    const x = r.values[v];
    if (x !== undefined) line[v] = x;
  }
  return line;
}
