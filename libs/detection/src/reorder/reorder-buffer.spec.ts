import { ReorderBuffer, type ReorderEntry, type ReleasedEntry, type SequencedSample } from './reorder-buffer';

interface S extends SequencedSample {
  readonly hr: number;
}
type E = ReorderEntry<S, number>;

const T0 = Date.UTC(2026, 0, 1, 8);
const L = 5000;
/** Sample `seq` of a device at 1 Hz (ts moves with seq unless given); meta: its arrival number. */
const at = (seq: number, opts: { device?: string; patient?: string; ts?: number } = {}): S => ({
  patientId: opts.patient ?? 'p1',
  deviceId: opts.device ?? 'd1',
  seq,
  ts: opts.ts ?? T0 + seq * 1000,
  hr: 70,
});
const entries = (samples: readonly S[]): E[] => samples.map((sample, meta) => ({ sample, meta }));
const seqs = (out: readonly ReleasedEntry<S, number>[]) => out.map((r) => r.sample.seq);

/** Seeded (mulberry32), so a failing permutation can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(ReorderBuffer.name, () => {
  let buffer: ReorderBuffer<S, number>;
  beforeEach(() => (buffer = new ReorderBuffer<S, number>({ maxLatenessMs: L })));

  it('passes samples in order straight through, each at once', () => {
    for (let seq = 0; seq < 20; seq++) {
      const out = buffer.add(entries([at(seq)]), T0);
      expect(seqs(out)).toEqual([seq]);
      expect(out[0].late).toBe(false);
    }
    expect(buffer.held).toBe(0);
    expect(buffer.counts).toEqual({ late: 0, duplicate: 0, held: 0 });
  });

  it('keeps the metadata of each sample and the order of patients apart', () => {
    const input = [
      at(0),
      at(0, { patient: 'p2', device: 'd2' }),
      at(1),
      at(1, { patient: 'p2', device: 'd2' }),
    ];
    const out = buffer.add(entries(input), T0);
    expect(out.map((r) => [r.sample.patientId, r.sample.seq, r.meta])).toEqual([
      ['p1', 0, 0],
      ['p2', 0, 1],
      ['p1', 1, 2],
      ['p2', 1, 3],
    ]);
  });

  it('puts a swapped pair back in order, holding the first until its predecessor arrives', () => {
    expect(seqs(buffer.add(entries([at(0)]), T0))).toEqual([0]);
    expect(seqs(buffer.add(entries([at(2)]), T0))).toEqual([]);
    expect(buffer.held).toBe(1);
    expect(buffer.heldMeta()).toEqual([0]);
    expect(seqs(buffer.add(entries([at(1)]), T0 + 10))).toEqual([1, 2]);
    expect(buffer.held).toBe(0);
    expect(buffer.counts).toEqual({ late: 0, duplicate: 0, held: 1 });
  });

  it('puts swapped batches of ten back in order (two ingest instances swapping messages)', () => {
    // A message spans 10 s of measurement: the lateness bound must exceed it, or the watermark
    // releases the held message before its predecessor comes.
    const wide = new ReorderBuffer<S, number>({ maxLatenessMs: 30_000 });
    const all = Array.from({ length: 60 }, (_, s) => at(s));
    const messages = [0, 2, 1, 4, 3, 5].map((m) => all.slice(m * 10, m * 10 + 10));
    const out = messages.flatMap((m) => wide.add(entries(m), T0));
    expect(seqs(out)).toEqual(all.map((s) => s.seq));
    expect(out.every((r) => !r.late)).toBe(true);
    expect(wide.counts).toEqual({ late: 0, duplicate: 0, held: 20 });
  });

  it('releases a sample after a gap once the watermark passes it (newest ts − maxLateness)', () => {
    buffer.add(entries([at(0), at(2)]), T0);
    expect(seqs(buffer.add(entries([at(6)]), T0))).toEqual([]); // 6 s − 5 s watermark: 2 s is not yet behind it
    expect(seqs(buffer.add(entries([at(7)]), T0))).toEqual([2]); // 7 − 5 = 2: seq 2 goes
    expect(buffer.held).toBe(2); // 6 and 7 wait for 3, 4, 5
    expect(seqs(buffer.add(entries([at(1)]), T0))).toEqual([1]); // the gap before 2, filled too late
    expect(buffer.counts.late).toBe(1);
  });

  it('releases a sample after a gap once it has waited maxLateness of wall time', () => {
    buffer.add(entries([at(0), at(3), at(2)]), T0);
    expect(seqs(buffer.due(T0 + L - 1))).toEqual([]);
    expect(seqs(buffer.due(T0 + L))).toEqual([2, 3]);
    expect(buffer.held).toBe(0);
  });

  it('releases in (ts, seq) order, including what is held before a due sample', () => {
    buffer.add(entries([at(0), at(4)]), T0);
    buffer.add(entries([at(3)]), T0 + 3000);
    // seq 4 has waited long enough; seq 3 has not, but it comes before 4.
    expect(seqs(buffer.due(T0 + L))).toEqual([3, 4]);
  });

  it('drops a duplicate of a sample already released or held, and counts it', () => {
    buffer.add(entries([at(0), at(1), at(3)]), T0);
    expect(buffer.add(entries([at(1), at(3), at(0)]), T0)).toEqual([]);
    expect(buffer.counts.duplicate).toBe(3);
    expect(buffer.held).toBe(1);
  });

  it('releases a late sample it cannot tell from a new one (not among the recent), and counts it', () => {
    const small = new ReorderBuffer<S, number>({ maxLatenessMs: L, recentPerDevice: 4 });
    small.add(entries(Array.from({ length: 10 }, (_, s) => at(s))), T0);
    const out = small.add(entries([at(2), at(8)]), T0);
    expect(out.map((r) => [r.sample.seq, r.late])).toEqual([[2, true]]); // seq 8 is recent: a duplicate
    expect(small.counts).toEqual({ late: 1, duplicate: 1, held: 0 });
  });

  it('counts a sample older than another device of the patient already released as late', () => {
    buffer.add(entries([at(0, { device: 'cuff', ts: T0 + 10_000 })]), T0);
    const out = buffer.add(entries([at(0, { device: 'watch', ts: T0 + 9000 })]), T0);
    expect(out.map((r) => [r.sample.deviceId, r.late])).toEqual([['watch', true]]);
  });

  it('resynchronises on a device reboot (seq back to 0, ts newer than everything released)', () => {
    buffer.add(entries([at(0), at(1), at(2), at(5)]), T0); // 5 held: 3, 4 never come
    const out = buffer.add(entries([at(0, { ts: T0 + 60_000 }), at(1, { ts: T0 + 61_000 })]), T0);
    expect(out.map((r) => [r.sample.seq, r.sample.ts - T0])).toEqual([
      [5, 5000], // what it held from before the reboot goes first
      [0, 60_000],
      [1, 61_000],
    ]);
    expect(buffer.counts.late).toBe(0);
  });

  it('releases the oldest held samples when a patient holds more than the cap', () => {
    const capped = new ReorderBuffer<S, number>({ maxLatenessMs: 60_000, maxHeldPerPatient: 3 });
    capped.add(entries([at(0), at(2), at(3), at(4)]), T0);
    expect(capped.held).toBe(3);
    expect(seqs(capped.add(entries([at(6)]), T0))).toEqual([2, 3, 4]); // 4 held: 2 goes, then 3, 4 follow it
    expect(capped.held).toBe(1);
  });

  it('drains everything held in order, and drops held samples but not what was released', () => {
    buffer.add(entries([at(0), at(3), at(2)]), T0);
    expect(seqs(buffer.drain())).toEqual([2, 3]);
    buffer.add(entries([at(5)]), T0);
    expect(buffer.dropHeld()).toBe(1);
    expect(buffer.held).toBe(0);
    expect(buffer.add(entries([at(3)]), T0)).toEqual([]); // still known as released: a duplicate
    buffer.clear();
    expect(seqs(buffer.add(entries([at(3)]), T0))).toEqual([3]); // forgotten: a device's first sample
  });

  it('for any permutation of a device’s samples within the lateness bound, releases them sorted', () => {
    const rand = random(20261203);
    for (let run = 0; run < 200; run++) {
      const b = new ReorderBuffer<S, number>({ maxLatenessMs: L, maxHeldPerPatient: 1000 });
      const n = 5 + Math.floor(rand() * 60);
      const sorted = Array.from({ length: n }, (_, s) => at(s));
      // Each sample moves at most maxLateness of measurement time behind where it was (a shuffle
      // of sort keys s + jitter, jitter < L); the device's first sample is known first.
      const keyed = sorted.slice(1).map((s) => ({ s, key: s.seq + rand() * ((L - 1) / 1000) }));
      keyed.sort((a, c) => a.key - c.key);
      const arrival = [sorted[0], ...keyed.map((k) => k.s)];
      let now = T0;
      const out = arrival.flatMap((s) => {
        now += Math.floor(rand() * 50); // arrivals well inside the wall-time bound
        return b.add(entries([s]), now);
      });
      out.push(...b.drain());
      expect(seqs(out)).toEqual(sorted.map((s) => s.seq));
      expect(b.counts.late + b.counts.duplicate).toBe(0);
    }
  });

  it('with several devices per patient, releases each device in order and every sample once', () => {
    const rand = random(7);
    const sorted = ['watch', 'patch'].flatMap((device) =>
      Array.from({ length: 40 }, (_, s) =>
        at(s, { device, ts: T0 + s * 1000 + (device === 'patch' ? 500 : 0) }),
      ),
    );
    const first = sorted.filter((s) => s.seq === 0);
    const rest = sorted
      .filter((s) => s.seq > 0)
      .map((s) => ({ s, key: s.ts + rand() * 3000 }))
      .sort((a, c) => a.key - c.key)
      .map((k) => k.s);
    const out = [...buffer.add(entries([...first, ...rest]), T0), ...buffer.drain()];
    expect(out).toHaveLength(sorted.length);
    for (const device of ['watch', 'patch'])
      expect(seqs(out.filter((r) => r.sample.deviceId === device))).toEqual([...Array(40).keys()]);
  });
});
