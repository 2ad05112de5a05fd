import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { LABELS_FILE, SAMPLES_FILE, SAMPLES_HEADER, type SimulationLabels } from './recording';
import { formatSampleRow } from './recording-csv';
import { labelsToJson } from './recording-labels';
import { type SimulatedReading } from './vitals-simulator';

/** Streams readings to `samples.csv` (awaiting the disk when it is slower than the simulator). */
export class RecordingWriter {
  private constructor(
    readonly dir: string,
    private readonly stream: WriteStream,
  ) {}

  static async create(dir: string): Promise<RecordingWriter> {
    await mkdir(dir, { recursive: true });
    const stream = createWriteStream(join(dir, SAMPLES_FILE), { flags: 'w' });
    await once(stream, 'open');
    stream.write(SAMPLES_HEADER + '\n');
    return new RecordingWriter(dir, stream);
  }

  async write(readings: readonly SimulatedReading[]): Promise<void> {
    let chunk = '';
    for (const r of readings)
      chunk +=
        formatSampleRow({ patientId: r.patientId, deviceId: r.deviceId, ts: r.ts, seq: r.seq, ...r.values }) +
        '\n';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Finishes samples.csv and writes labels.json. */
  async close(labels: SimulationLabels): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await writeFile(join(this.dir, LABELS_FILE), JSON.stringify(labelsToJson(labels), null, 1) + '\n');
  }
}
