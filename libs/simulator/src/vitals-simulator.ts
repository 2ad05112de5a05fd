import { VITAL_SPECS, VITALS, type Vital, type VitalValues } from '@vigil/contracts';
import {
  DefaultEpisodeSchedule,
  demoOpeningPlan,
  categoryOf,
  vitalsOf,
  type EpisodeCategory,
  type EpisodeLabel,
  type EpisodePlan,
  type EpisodeType,
} from './episodes';
import { type ConfounderLabel, type ConfounderType } from './confounders';
import {
  bandEdgeOfPatient,
  randomProfile,
  subgroupOf,
  type BandEdge,
  type PatientProfile,
  type Subgroup,
} from './patient-profile';
import { Random } from './random';

export interface SimulatorOptions {
  readonly seed: number;
  readonly patients: number;
  /** Measurement time of the first sample, epoch ms. */
  readonly startMs: number;
  /** Samples per second per patient (default 1). */
  readonly rateHz?: number;
  /**
   * 'default' plays a random schedule per patient; 'demo' opens with one episode per patient within
   * the first minutes (staggered), then a denser random schedule; a list plays exactly those.
   */
  readonly episodes?: 'none' | 'default' | 'demo' | readonly EpisodePlan[];
  /** Mean minutes between the starts of default episodes of one patient (default 150; demo 30). */
  readonly episodeGapMin?: number;
  /**
   * Seconds between BP estimates for every patient, instead of each profile's own 15–60 min
   * (default: the profile's; 'demo': 60, so its opening hypotension shows within a minute).
   */
  readonly bpIntervalS?: number;
}

export interface SimulatedPatient {
  readonly patientId: string;
  readonly deviceId: string;
  readonly profile: PatientProfile;
  readonly subgroup: Subgroup;
  readonly bandEdge: BandEdge | null;
}

export interface SimulatedReading {
  readonly patientId: string;
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
  readonly values: VitalValues;
  readonly label: { readonly type: EpisodeType; readonly category: EpisodeCategory } | null;
}

const pad = (n: number) => String(n).padStart(4, '0');
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const HOUR = 3600_000;

type Activity = 'rest' | 'walk' | 'run';
const STEP_RATE: Record<Activity, number> = { rest: 0, walk: 1.75, run: 2.7 };
/** Effort below this counts as recovered: the end of an exercise confounder. */
const RECOVERED_EFFORT = 0.1;
/** Rest between bouts: at least this, on average the waking day shared out among boutsPerDay. */
const MIN_REST_BETWEEN_BOUTS_MS = 30 * 60_000;
/** Temperature is measured about once a minute. */
const TEMP_INTERVAL_S = 60;
/** Motion artefacts per hour: at rest (awake or asleep) and during a walk or run. */
const ARTEFACTS_PER_HOUR = { rest: 2 / 24, active: 1.5 };
type ArtefactKind = 'hr_spike' | 'hr_drop' | 'spo2_drop';

interface OpenConfounder {
  readonly patientId: string;
  readonly type: ConfounderType;
  readonly start: number;
  end: number | null;
}

/** Chance per second that a sensor starts a dropout, and its mean length (s). */
const DROPOUT: Partial<Record<Vital, { p: number; meanS: number }>> = {
  hr: { p: 0.0008, meanS: 8 },
  spo2: { p: 0.0015, meanS: 12 },
  rr: { p: 0.0008, meanS: 10 },
  temp: { p: 0.0003, meanS: 20 },
};

interface ActiveEpisode extends EpisodeLabel {
  readonly severity: number;
  readonly rampMs: number | undefined;
  readonly seed: number;
  frozen?: number;
}

/** One patient's evolving state: slow random wander, activity, effort (lagged), sensor state. */
class PatientState {
  activity: Activity = 'rest';
  /** Effort of the current bout (walk 0.35–0.55, run 0.8–1) and the seconds left of it. */
  intensity = 0;
  boutLeftS = 0;
  effort = 0;
  /** How deeply asleep, 0–1 (null until the first sample): sleep lowers HR, RR and BP over minutes. */
  sleepDepth: number | null = null;
  stepCarry = 0;
  seq = 0;
  offWristTemp: number | null = null;
  nextBpTs: number;
  nextTempTs: number;
  exercise: OpenConfounder | null = null;
  /** When the next bout is due (postponed while asleep, unwell or still recovering). */
  nextBoutTs: number;
  artefact: { kind: ArtefactKind; samplesLeft: number } | null = null;
  readonly wander: Record<'hr' | 'spo2' | 'rr' | 'temp' | 'bp', number> = {
    hr: 0,
    spo2: 0,
    rr: 0,
    temp: 0,
    bp: 0,
  };
  readonly dropoutLeftS: Partial<Record<Vital, number>> = {};
  readonly episodes: ActiveEpisode[] = [];

  constructor(
    readonly patient: SimulatedPatient,
    readonly rng: Random,
    readonly schedule: DefaultEpisodeSchedule | null,
    startMs: number,
    readonly bpIntervalS: number,
  ) {
    this.nextBpTs = startMs + rng.int(0, bpIntervalS - 1) * 1000;
    this.nextTempTs = startMs + rng.int(0, TEMP_INTERVAL_S - 1) * 1000;
    this.nextBoutTs = startMs + rng.uniform(0, 1) * this.boutGapMs();
  }

  /** A rest between bouts: regular enough that a waking day holds about boutsPerDay of them. */
  boutGapMs(): number {
    const p = this.patient.profile;
    const wakingMs = (24 - (p.wakeHour + 24 - p.sleepHour)) * HOUR;
    const meanMs = Math.max(MIN_REST_BETWEEN_BOUTS_MS, wakingMs / p.boutsPerDay - 25 * 60_000);
    return meanMs * this.rng.uniform(0.5, 1.5);
  }
}

/**
 * Seeded, physiologically plausible vital signs for a ward of patients, one sample per patient per
 * tick, with labelled anomaly episodes as ground truth. Same options, same output, on any machine.
 */
export class VitalsSimulator {
  readonly patients: readonly SimulatedPatient[];
  readonly rateHz: number;
  readonly startMs: number;
  private readonly states: PatientState[];
  private readonly log: ActiveEpisode[] = [];
  private readonly confounderLog: OpenConfounder[] = [];
  private readonly pending: EpisodePlan[];
  private tickIndex = 0;

  constructor(options: SimulatorOptions) {
    if (!Number.isInteger(options.patients) || options.patients < 0)
      throw new RangeError('patients must be a non-negative integer');
    this.rateHz = options.rateHz ?? 1;
    if (!(this.rateHz > 0 && this.rateHz <= 100)) throw new RangeError('rateHz must be in (0, 100]');
    if (options.episodeGapMin !== undefined && !(options.episodeGapMin >= 1))
      throw new RangeError('episodeGapMin must be at least 1 minute');
    if (options.bpIntervalS !== undefined && !(options.bpIntervalS >= 1))
      throw new RangeError('bpIntervalS must be at least 1 second');
    this.startMs = options.startMs;
    const episodes = options.episodes ?? 'default';
    this.patients = Array.from({ length: options.patients }, (_, i) => {
      const profile = randomProfile(Random.derive(options.seed, i, 1), bandEdgeOfPatient(i));
      return {
        patientId: `pat-${pad(i + 1)}`,
        deviceId: `dev-${pad(i + 1)}`,
        profile,
        subgroup: subgroupOf(profile.age),
        bandEdge: profile.bandEdge,
      };
    });
    const openings =
      episodes === 'demo'
        ? this.patients.map((p, i) => demoOpeningPlan(p.patientId, i, options.startMs))
        : [];
    this.states = this.patients.map((p, i) => {
      const scheduleRng = Random.derive(options.seed, i, 3);
      const schedule =
        episodes === 'default'
          ? new DefaultEpisodeSchedule(p.patientId, scheduleRng, options.startMs, options.episodeGapMin)
          : episodes === 'demo'
            ? new DefaultEpisodeSchedule(
                p.patientId,
                scheduleRng,
                openings[i].end,
                options.episodeGapMin ?? 30,
              )
            : null;
      const bpIntervalS = options.bpIntervalS ?? (episodes === 'demo' ? 60 : p.profile.bpIntervalS);
      return new PatientState(p, Random.derive(options.seed, i, 2), schedule, options.startMs, bpIntervalS);
    });
    const plans = Array.isArray(episodes) ? (episodes as readonly EpisodePlan[]) : openings;
    this.pending = [...plans].sort((a, b) => a.start - b.start);
  }

  /** Measurement time of the next tick. */
  get now(): number {
    return this.startMs + Math.round((this.tickIndex * 1000) / this.rateHz);
  }

  /** Episodes that have started so far, with their planned ends. */
  get episodes(): readonly EpisodeLabel[] {
    return this.log.map(({ patientId, type, category, start, end, vitals }) => ({
      patientId,
      type,
      category,
      start,
      end,
      vitals,
    }));
  }

  /** Episodes overlapping [startMs, untilMs), clipped to it: the ground truth of a recording of that span. */
  episodesUntil(untilMs: number): EpisodeLabel[] {
    return this.episodes
      .filter((e) => e.start < untilMs)
      .map((e) => ({ ...e, end: Math.min(e.end, untilMs) }));
  }

  /**
   * Confounders that have started so far (exercise bouts with their recovery, motion artefacts), in
   * order of start, clipped to `untilMs`; one still going ends at `untilMs`.
   */
  confoundersUntil(untilMs: number): ConfounderLabel[] {
    return this.confounderLog
      .filter((c) => c.start < untilMs)
      .map(({ patientId, type, start, end }) => ({
        patientId,
        type,
        start,
        end: Math.min(end ?? untilMs, untilMs),
      }));
  }

  /** Advances one sample period for every patient. */
  tick(): SimulatedReading[] {
    const ts = this.now;
    const dt = 1 / this.rateHz;
    this.startEpisodes(ts);
    const readings = this.states.map((s) => this.step(s, ts, dt));
    this.tickIndex++;
    return readings;
  }

  private startEpisodes(ts: number): void {
    const due: EpisodePlan[] = [];
    while (this.pending.length > 0 && this.pending[0].start <= ts) due.push(this.pending.shift()!);
    for (const s of this.states) if (s.schedule) due.push(...s.schedule.plansUntil(ts + 1));
    for (const plan of due) {
      const state = this.states.find((s) => s.patient.patientId === plan.patientId);
      if (!state) throw new RangeError(`episode for unknown patient ${plan.patientId}`);
      if (plan.end <= plan.start)
        throw new RangeError(`episode ${plan.type} on ${plan.patientId} ends before it starts`);
      const episode: ActiveEpisode = {
        patientId: plan.patientId,
        type: plan.type,
        category: categoryOf(plan.type),
        start: plan.start,
        end: plan.end,
        vitals: vitalsOf(plan.type, plan.vital),
        severity: clamp(plan.severity ?? 1, 0, 1),
        rampMs: plan.rampMs,
        seed: state.rng.int(0, 2 ** 31),
      };
      state.episodes.push(episode);
      this.log.push(episode);
    }
  }

  private step(s: PatientState, ts: number, dt: number): SimulatedReading {
    const p = s.patient.profile;
    const rng = s.rng;
    while (s.episodes.length > 0 && s.episodes[0].end <= ts) s.episodes.shift();
    const active = s.episodes.filter((e) => e.start <= ts);
    const unwell = active.some((e) => e.category === 'clinical');

    // Circadian: sleep lowers HR, BP, RR; core temperature is lowest near 04:00, highest near 18:00.
    const hour = (((ts / HOUR) % 24) + 24) % 24;
    const asleep = isAsleep(hour, p.sleepHour, p.wakeHour);
    const tempCirc = -0.3 * Math.cos((2 * Math.PI * (hour - 4)) / 24);
    // Falling asleep takes HR and BP down over a quarter of an hour, waking brings them up over ten minutes.
    const depthTau = asleep ? 900 : 600;
    s.sleepDepth ??= asleep ? 1 : 0;
    s.sleepDepth += ((asleep ? 1 : 0) - s.sleepDepth) * (1 - Math.exp(-dt / depthTau));
    const d = s.sleepDepth;

    // Activity: bouts of walking or running (5–40 min, boutsPerDay while awake); nobody exercises
    // asleep or during a clinical episode (a bout due then is put off). A new bout waits until the
    // last one is recovered from.
    if (asleep || unwell) {
      s.activity = 'rest';
      if (ts >= s.nextBoutTs) s.nextBoutTs = ts + s.boutGapMs() / 2;
    } else if (s.activity !== 'rest') {
      s.boutLeftS -= dt;
      if (s.boutLeftS <= 0) s.activity = 'rest';
    } else if (!s.exercise && ts >= s.nextBoutTs) {
      const pRun = p.age < 65 ? 0.1 + 0.6 * p.fitness : 0.1 * p.fitness;
      s.activity = rng.chance(pRun) ? 'run' : 'walk';
      s.intensity = s.activity === 'run' ? rng.uniform(0.8, 1) : rng.uniform(0.35, 0.55);
      const minutes = s.activity === 'run' ? 10 + rng.exponential(12) : 5 + rng.exponential(12);
      s.boutLeftS = Math.min(40, minutes) * 60;
    }
    // Heart and lungs follow effort with a lag: up within a minute, recovery over 3–8 min.
    const target = s.activity === 'rest' ? 0 : s.intensity;
    const tau = target > s.effort ? 25 : 120 + 90 * (1 - p.fitness);
    s.effort += (target - s.effort) * (1 - Math.exp(-dt / tau));
    if (s.activity !== 'rest' && !s.exercise) s.exercise = this.openConfounder(s, 'exercise', ts);
    else if (s.activity === 'rest' && s.exercise && s.effort < RECOVERED_EFFORT) {
      s.exercise.end = ts;
      s.exercise = null;
      s.nextBoutTs = ts + s.boutGapMs();
    }

    // Slow person-level wander (AR(1), ~10 min time constant).
    const a = Math.exp(-dt / 600);
    const w = s.wander;
    const ar = (x: number, sd: number) => a * x + Math.sqrt(1 - a * a) * rng.normal(0, sd);
    w.hr = ar(w.hr, 3);
    w.spo2 = ar(w.spo2, 0.4);
    w.rr = ar(w.rr, 0.8);
    w.temp = ar(w.temp, 0.06);
    w.bp = ar(w.bp, 4);

    const hrMax = 208 - 0.7 * p.age;
    const clean: Record<Vital, number> = {
      hr: p.restingHr + 2 - 10 * d + w.hr + s.effort * 0.72 * (hrMax - p.restingHr),
      spo2: p.spo2 + w.spo2 - 0.5 * d - s.effort * 0.8,
      rr: p.rr - 1.5 * d + w.rr + s.effort * 12,
      temp: p.temp + tempCirc + w.temp + s.effort * 0.35,
      sbp: p.sbp * (1 - 0.1 * d) + w.bp + s.effort * 28,
      dbp: p.dbp * (1 - 0.12 * d) + w.bp * 0.5 + s.effort * 6,
      steps: 0,
    };
    const stepRate =
      STEP_RATE[s.activity] *
      clamp(rng.normal(1, 0.08), 0.7, 1.3) *
      (s.effort > 0.2 || s.activity === 'rest' ? 1 : 0.5);
    s.stepCarry += stepRate * dt;
    clean.steps = Math.floor(s.stepCarry);
    s.stepCarry -= clean.steps;

    // Measurement noise.
    const measured: Record<Vital, number> = {
      hr: clean.hr + rng.normal(0, 1.5),
      spo2: clean.spo2 + rng.normal(0, 0.5),
      rr: clean.rr + rng.normal(0, 0.8),
      temp: clean.temp + rng.normal(0, 0.03),
      sbp: clean.sbp + rng.normal(0, 4),
      dbp: clean.dbp + rng.normal(0, 3),
      steps: clean.steps,
    };

    const present = new Set<Vital>(VITALS);
    for (const e of active) applyEpisode(e, measured, present, ts, dt, s, rng);
    // A stuck or loose sensor shows no motion artefacts of its own.
    this.motionArtefact(
      s,
      measured,
      ts,
      dt,
      active.some((e) => e.category === 'technical'),
    );

    // Sensor dropouts (SpO2 suffers from motion) and sparse BP.
    for (const v of VITALS) {
      const d = DROPOUT[v];
      if (!d) continue;
      const left = s.dropoutLeftS[v] ?? 0;
      if (left > 0) {
        s.dropoutLeftS[v] = left - dt;
        present.delete(v);
      } else if (rng.chance((d.p + (v === 'spo2' ? 0.01 * s.effort : 0)) * dt)) {
        s.dropoutLeftS[v] = rng.exponential(d.meanS);
        present.delete(v);
      }
    }
    if (ts >= s.nextBpTs) {
      s.nextBpTs += s.bpIntervalS * 1000;
      if (s.activity === 'run') {
        present.delete('sbp');
        present.delete('dbp');
      }
    } else {
      present.delete('sbp');
      present.delete('dbp');
    }
    if (ts >= s.nextTempTs) s.nextTempTs += TEMP_INTERVAL_S * 1000;
    else present.delete('temp');

    const values: VitalValues = {};
    for (const v of VITALS) if (present.has(v)) values[v] = quantise(v, measured[v]);
    const first = active[0];
    return {
      patientId: s.patient.patientId,
      deviceId: s.patient.deviceId,
      ts,
      seq: s.seq++,
      values,
      label: first ? { type: first.type, category: first.category } : null,
    };
  }

  private openConfounder(s: PatientState, type: ConfounderType, start: number, end: number | null = null) {
    const c: OpenConfounder = { patientId: s.patient.patientId, type, start, end };
    this.confounderLog.push(c);
    return c;
  }

  /**
   * Motion artefacts: 1–3 samples of HR jumping by 40–80 bpm or falling to 30–40, or SpO2 falling to
   * 80–88 %; far more likely during a walk or run. Each is labelled a confounder.
   */
  private motionArtefact(
    s: PatientState,
    m: Record<Vital, number>,
    ts: number,
    dt: number,
    sensorFault: boolean,
  ): void {
    const rng = s.rng;
    if (!s.artefact) {
      if (sensorFault) return;
      const perHour = s.activity === 'rest' ? ARTEFACTS_PER_HOUR.rest : ARTEFACTS_PER_HOUR.active;
      if (!rng.chance((perHour / 3600) * dt)) return;
      const kind = rng.pick(['hr_spike', 'hr_drop', 'spo2_drop'] as const);
      const samples = rng.int(1, 3);
      s.artefact = { kind, samplesLeft: samples };
      this.openConfounder(s, 'artefact', ts, ts + Math.round((samples * 1000) / this.rateHz));
    }
    switch (s.artefact.kind) {
      case 'hr_spike':
        m.hr += rng.uniform(40, 80);
        break;
      case 'hr_drop':
        m.hr = rng.uniform(30, 40);
        break;
      case 'spo2_drop':
        m.spo2 = rng.uniform(80, 88);
        break;
    }
    if (--s.artefact.samplesLeft <= 0) s.artefact = null;
  }
}

function isAsleep(hour: number, sleep: number, wake: number): boolean {
  const h = hour < 12 ? hour + 24 : hour;
  return h >= sleep && h < wake + 24;
}

/** Episode envelope 0..1: ramps in and out, except deterioration which climbs for the whole episode. */
function envelope(e: ActiveEpisode, ts: number): number {
  const len = e.end - e.start;
  const t = ts - e.start;
  if (e.type === 'deterioration')
    return clamp(t / (0.9 * len), 0, 1) * clamp((e.end - ts) / (0.1 * len), 0, 1) ** 0.2;
  const ramp = Math.max(1, Math.min(e.rampMs ?? (e.type === 'fever' ? 0.3 * len : 120_000), len / 4));
  return clamp(Math.min(t / ramp, (e.end - ts) / ramp), 0, 1);
}

function applyEpisode(
  e: ActiveEpisode,
  m: Record<Vital, number>,
  present: Set<Vital>,
  ts: number,
  dt: number,
  s: PatientState,
  rng: Random,
): void {
  const k = envelope(e, ts) * e.severity;
  switch (e.type) {
    case 'tachycardia':
      m.hr += 55 * k;
      m.rr += 3 * k;
      return;
    case 'bradycardia': {
      // Down to about 40 bpm (or by a quarter, if that is lower), as a share of the rate so that
      // beat-to-beat variation and measurement noise remain: a constant 40 is a stuck sensor.
      const usual = s.patient.profile.restingHr;
      m.hr *= 1 - k * (1 - Math.min(40, 0.75 * usual) / usual);
      return;
    }
    case 'desaturation':
      m.spo2 -= 10 * k;
      m.rr += 6 * k;
      m.hr += 10 * k;
      return;
    case 'fever':
      m.temp += 1.8 * k;
      m.hr += 18 * k;
      m.rr += 4 * k;
      return;
    case 'hypotension':
      m.sbp -= 38 * k;
      m.dbp -= 20 * k;
      m.hr += 15 * k;
      return;
    case 'tachypnoea':
      m.rr += 14 * k;
      m.hr += 8 * k;
      return;
    case 'irregular_hr':
      // Irregularly irregular: beat-to-beat rate jumps around a raised mean.
      m.hr += k * (12 + rng.normal(0, 16));
      return;
    case 'deterioration':
      m.hr += 32 * k;
      m.rr += 10 * k;
      m.spo2 -= 6 * k;
      m.temp += 1.1 * k;
      m.sbp -= 28 * k;
      m.dbp -= 12 * k;
      return;
    case 'flatline': {
      const v = e.vitals[0];
      e.frozen ??= m[v];
      m[v] = e.frozen;
      return;
    }
    case 'off_wrist':
      for (const v of ['hr', 'spo2', 'rr'] as const) present.delete(v);
      m.steps = 0;
      s.offWristTemp ??= m.temp;
      s.offWristTemp += (29 - s.offWristTemp) * (1 - Math.exp(-dt / 180));
      m.temp = s.offWristTemp + rng.normal(0, 0.03);
      if (ts + dt * 1000 >= e.end) s.offWristTemp = null;
      return;
  }
}

/** What a device reports: HR, BP and steps whole, SpO2 and RR to one decimal, temperature to two. */
const DECIMALS: Record<Vital, number> = { hr: 0, spo2: 1, rr: 1, temp: 2, sbp: 0, dbp: 0, steps: 0 };

function quantise(v: Vital, x: number): number {
  const { min, max } = VITAL_SPECS[v];
  const k = 10 ** DECIMALS[v];
  return clamp(Math.round(x * k) / k, min, max);
}
