/** What the buffer needs of a sample: whose, which device, where in the device's sequence, when. */
export interface SequencedSample {
  readonly patientId: string;
  readonly deviceId: string;
  readonly seq: number;
  readonly ts: number;
}

/** A sample with opaque metadata of the caller's (its Kafka partition and offset, its trace). */
export interface ReorderEntry<S extends SequencedSample, M> {
  readonly sample: S;
  readonly meta: M;
}

export interface ReleasedEntry<S extends SequencedSample, M> extends ReorderEntry<S, M> {
  /** Older than a sample of its patient released before it (the window still places it if it can). */
  readonly late: boolean;
}

export interface ReorderOptions {
  /** How long a sample after a gap waits, in measurement time (watermark) and in wall time. */
  readonly maxLatenessMs: number;
  /** A patient holding more than this releases its oldest held samples. */
  readonly maxHeldPerPatient?: number;
  /** Released (seq, ts) pairs remembered per device, to tell a duplicate from a late sample. */
  readonly recentPerDevice?: number;
}

interface Held<S extends SequencedSample, M> extends ReorderEntry<S, M> {
  /** Wall time it was held at. */
  readonly since: number;
}

/** What was released of one device: the sequence position and a small ring of recent (seq, ts). */
class DeviceState {
  lastSeq = -Infinity;
  private readonly seqs: Float64Array;
  private readonly tss: Float64Array;
  private next = 0;

  constructor(size: number) {
    this.seqs = new Float64Array(size).fill(NaN);
    this.tss = new Float64Array(size).fill(NaN);
  }

  remember(seq: number, ts: number): void {
    this.seqs[this.next] = seq;
    this.tss[this.next] = ts;
    this.next = (this.next + 1) % this.seqs.length;
  }

  released(seq: number, ts: number): boolean {
    for (let i = 0; i < this.seqs.length; i++) if (this.seqs[i] === seq && this.tss[i] === ts) return true;
    return false;
  }
}

class PatientState<S extends SequencedSample, M> {
  /** Newest measurement time released (-Infinity: none yet). */
  releasedTs = -Infinity;
  /** Newest measurement time seen, held or not: the watermark is this minus the lateness. */
  newestTs = -Infinity;
  /** Held samples in (ts, seq) order. */
  readonly held: Held<S, M>[] = [];
  readonly devices = new Map<string, DeviceState>();
}

const byTsSeq = (a: SequencedSample, b: SequencedSample): number => a.ts - b.ts || a.seq - b.seq;

/**
 * Puts each patient's samples back in order when they arrive out of order (two ingest instances on
 * one MQTT shared subscription can swap a device's consecutive messages). Pure: the clock is passed
 * in as `now` (epoch ms). Per patient, tracking each device's sequence:
 * - the device's next seq (or its first sample), not older than what the patient already had
 *   released, is released at once (no added latency in order), with any held successors it joins;
 * - a sample after a gap (its device's seq jumps ahead) is held until the gap fills, or it falls behind the patient's watermark
 *   (newest ts seen − maxLateness), or it has waited maxLateness of wall time, or the patient holds
 *   more than the cap; held samples are released in (ts, seq) order;
 * - a sample older than what was released: a duplicate when its (deviceId, seq, ts) was released
 *   recently (dropped), otherwise late (released and flagged: the window fills its slot if inside);
 * - seq going back with a ts newer than everything released is a device reboot: resynchronised.
 * Outcomes are values and counts, never throws.
 */
export class ReorderBuffer<S extends SequencedSample, M = undefined> {
  private readonly patients = new Map<string, PatientState<S, M>>();
  /** Patients holding at least one sample. */
  private readonly holding = new Set<PatientState<S, M>>();
  private readonly cap: number;
  private readonly recent: number;
  private heldCount = 0;
  /** Totals since the buffer was made. */
  readonly counts = { late: 0, duplicate: 0, held: 0 };

  constructor(private readonly options: ReorderOptions) {
    this.cap = options.maxHeldPerPatient ?? 128;
    this.recent = options.recentPerDevice ?? 64;
  }

  /** Samples held now, over all patients. */
  get held(): number {
    return this.heldCount;
  }

  /** Adds samples in arrival order; returns those released, in the order they should be applied. */
  add(entries: readonly ReorderEntry<S, M>[], now: number): ReleasedEntry<S, M>[] {
    const out: ReleasedEntry<S, M>[] = [];
    for (const entry of entries) this.addOne(entry, now, out);
    return out;
  }

  /** Releases what has waited long enough (call when no new samples arrive). */
  due(now: number): ReleasedEntry<S, M>[] {
    const out: ReleasedEntry<S, M>[] = [];
    for (const p of [...this.holding]) this.releaseDue(p, now, out);
    return out;
  }

  /** Releases everything held (a clean shutdown). */
  drain(): ReleasedEntry<S, M>[] {
    const out: ReleasedEntry<S, M>[] = [];
    for (const p of [...this.holding]) this.releaseUpTo(p, p.held.length, out);
    return out;
  }

  /** The metadata of every held sample (e.g. to find the lowest offset still held per partition). */
  heldMeta(): M[] {
    return [...this.holding].flatMap((p) => p.held.map((h) => h.meta));
  }

  /** Forgets the held samples (a rebalance: they will be read again), keeps what was released. */
  dropHeld(): number {
    const dropped = this.heldCount;
    for (const p of this.holding) p.held.length = 0;
    this.holding.clear();
    this.heldCount = 0;
    return dropped;
  }

  /** Forgets everything, released state too (what was released may be read and must be applied again). */
  clear(): void {
    this.dropHeld();
    this.patients.clear();
  }

  private addOne(entry: ReorderEntry<S, M>, now: number, out: ReleasedEntry<S, M>[]): void {
    const { sample } = entry;
    const p = this.patient(sample.patientId);
    p.newestTs = Math.max(p.newestTs, sample.ts);
    const device = p.devices.get(sample.deviceId);
    if (device?.released(sample.seq, sample.ts) || this.isHeld(p, sample)) {
      this.counts.duplicate++;
      return;
    }
    if (!device || sample.seq === device.lastSeq + 1) {
      this.release(p, entry, out); // flagged late when another device of the patient is ahead
      this.releaseSuccessors(p, out);
    } else if (sample.seq <= device.lastSeq && sample.ts <= p.releasedTs) {
      this.release(p, entry, out); // late: holding it cannot put it back in order
    } else if (sample.seq <= device.lastSeq) {
      // Back in sequence but newer than everything released: the device rebooted. What it held
      // from before the reboot goes first.
      const before = p.held.filter((h) => h.sample.deviceId === sample.deviceId);
      for (const h of before) this.unhold(p, h);
      for (const h of before) this.release(p, h, out);
      device.lastSeq = sample.seq - 1;
      this.release(p, entry, out);
      this.releaseSuccessors(p, out);
    } else {
      this.hold(p, entry, now);
      if (p.held.length > this.cap) this.releaseUpTo(p, p.held.length - this.cap, out);
    }
    this.releaseDue(p, now, out);
  }

  private patient(id: string): PatientState<S, M> {
    let p = this.patients.get(id);
    if (!p) this.patients.set(id, (p = new PatientState()));
    return p;
  }

  private isHeld(p: PatientState<S, M>, s: S): boolean {
    return p.held.some(
      (h) => h.sample.deviceId === s.deviceId && h.sample.seq === s.seq && h.sample.ts === s.ts,
    );
  }

  private hold(p: PatientState<S, M>, entry: ReorderEntry<S, M>, now: number): void {
    let i = p.held.length;
    while (i > 0 && byTsSeq(p.held[i - 1].sample, entry.sample) > 0) i--;
    p.held.splice(i, 0, { ...entry, since: now });
    this.holding.add(p);
    this.heldCount++;
    this.counts.held++;
  }

  private unhold(p: PatientState<S, M>, h: Held<S, M>): void {
    p.held.splice(p.held.indexOf(h), 1);
    this.heldCount--;
    if (p.held.length === 0) this.holding.delete(p);
  }

  private release(p: PatientState<S, M>, entry: ReorderEntry<S, M>, out: ReleasedEntry<S, M>[]): void {
    const { sample, meta } = entry;
    let device = p.devices.get(sample.deviceId);
    if (!device) p.devices.set(sample.deviceId, (device = new DeviceState(this.recent)));
    device.lastSeq = Math.max(device.lastSeq, sample.seq);
    device.remember(sample.seq, sample.ts);
    const late = sample.ts < p.releasedTs;
    if (late) this.counts.late++;
    else p.releasedTs = sample.ts;
    out.push({ sample, meta, late });
  }

  /** Held samples that have become their device's next seq. */
  private releaseSuccessors(p: PatientState<S, M>, out: ReleasedEntry<S, M>[]): void {
    for (let found = true; found && p.held.length > 0;) {
      const next = p.held.find((h) => h.sample.seq === p.devices.get(h.sample.deviceId)!.lastSeq + 1);
      found = next !== undefined;
      if (next) {
        this.unhold(p, next);
        this.release(p, next, out);
      }
    }
  }

  /** Held samples past the watermark or the wall-time bound, with everything held before them. */
  private releaseDue(p: PatientState<S, M>, now: number, out: ReleasedEntry<S, M>[]): void {
    const { maxLatenessMs } = this.options;
    let last = -1;
    p.held.forEach((h, i) => {
      if (h.sample.ts <= p.newestTs - maxLatenessMs || now - h.since >= maxLatenessMs) last = i;
    });
    if (last >= 0) this.releaseUpTo(p, last + 1, out);
  }

  /** The first `count` held samples (in (ts, seq) order), then successors they make contiguous. */
  private releaseUpTo(p: PatientState<S, M>, count: number, out: ReleasedEntry<S, M>[]): void {
    const first = p.held.slice(0, count);
    for (const h of first) this.unhold(p, h);
    for (const h of first) this.release(p, h, out);
    this.releaseSuccessors(p, out);
  }
}
