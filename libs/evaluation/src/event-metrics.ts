import { median, percentile, ratio } from './stats';

/**
 * Event-level evaluation of alerts against labelled episodes.
 *
 * Rules (also printed by `vigil evaluate`):
 * - A clinical episode is detected when an alert for that patient *starts* in
 *   [episode.start, episode.end + grace], or when an alert already open for the patient is
 *   re-announced in it (escalated, or updated because another vital is off): one alert per patient
 *   condition tells the clinician about a new problem that way instead of opening a second alert.
 *   Time to detect = first such alert start (or re-announcement) − episode.start. A re-announcement
 *   is not a new alert: it gets no verdict and counts in neither precision nor false alerts.
 * - Each alert gets one verdict: `true` when it starts inside [start, end + grace] of a clinical
 *   episode of its patient; else `technical` when it starts inside [start, end + grace] of a
 *   sensor-fault episode; else `false`.
 * - Precision = true / all alerts. A technical alert counts against precision: the detector raised
 *   a clinical alarm for a loose or dead sensor, and a nurse still walks to the bed. It is *not*
 *   counted as a false alert per patient-day, because it has a cause worth showing (sensor fault),
 *   so it is reported on its own line (technical alerts per patient-day, share of sensor faults
 *   that drew an alert). Neither way is a technical alert a true detection.
 * - Patient-days = monitored time of the patients in the set, ÷ 24 h.
 */
export type EpisodeCategory = 'clinical' | 'technical';

export interface LabelledEpisode {
  readonly patientId: string;
  readonly type: string;
  readonly category: EpisodeCategory;
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  /**
   * When the condition first became observable, if later than `start`: a blood-pressure episode is
   * seen at the first cuff reading inside it. Time to detect counts from here.
   */
  readonly observableFrom?: number;
}

/** A stretch where alerts are expected to be tempting but false (exercise, artefacts). */
export interface Confounder {
  readonly patientId: string;
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

export interface ConfounderSummary {
  readonly confounders: number;
  /** False alerts raised inside one of these stretches. */
  readonly falseAlerts: number;
  /** Stretches with at least one false alert in them. */
  readonly withFalseAlert: number;
}

export interface EvaluatedAlert {
  readonly patientId: string;
  /** When the alert was raised (its episode start), epoch ms. */
  readonly at: number;
  /** An open alert re-announced (escalated, another vital off): detects, but is not a new alert. */
  readonly reannounced?: boolean;
}

export interface MonitoredPatient {
  readonly patientId: string;
  readonly subgroup: string;
  /** Further groups the patient belongs to, reported like subgroups (e.g. "normal at a band edge"). */
  readonly groups?: readonly string[];
  readonly monitoredMs: number;
}

export interface MatchOptions {
  /** How long after an episode ends an alert still counts as detecting it. */
  readonly graceMs: number;
  /** Episode types whose time to detect is also pooled as "acute" (e.g. desaturation, tachycardia). */
  readonly acuteTypes?: readonly string[];
  readonly confounders?: readonly Confounder[];
}

export type AlertVerdict = 'true' | 'technical' | 'false';

export interface EventSummary {
  readonly patients: number;
  readonly patientDays: number;
  readonly episodes: number;
  readonly detected: number;
  readonly recall: number | null;
  readonly alerts: number;
  readonly trueAlerts: number;
  readonly technicalAlerts: number;
  readonly falseAlerts: number;
  readonly precision: number | null;
  readonly falseAlertsPerPatientDay: number | null;
  readonly technicalAlertsPerPatientDay: number | null;
  readonly ttdMedianMs: number | null;
  readonly ttdP90Ms: number | null;
}

export interface TypeSummary {
  readonly episodes: number;
  readonly detected: number;
  readonly recall: number | null;
  readonly ttdMedianMs: number | null;
  readonly ttdP90Ms: number | null;
}

export interface TechnicalSummary {
  readonly episodes: number;
  /** Sensor-fault episodes during which (or within grace after) an alert started. */
  readonly alerted: number;
  readonly alertedFraction: number | null;
  readonly byType: Readonly<Record<string, { readonly episodes: number; readonly alerted: number }>>;
}

export interface EventReport extends EventSummary {
  readonly byType: Readonly<Record<string, TypeSummary>>;
  /** The acute types together (MatchOptions.acuteTypes). */
  readonly acute: TypeSummary;
  readonly bySubgroup: Readonly<Record<string, EventSummary>>;
  readonly technical: TechnicalSummary;
  /** False alerts during each confounder type, counted apart (they are in the totals too). */
  readonly confounders: Readonly<Record<string, ConfounderSummary>>;
  /** Clinical episodes during which none of their vitals was measured (no detector could see them). */
  readonly unobservable: number;
}

export interface EpisodeOutcome {
  readonly episode: LabelledEpisode;
  /** Time to detect in ms, or null when missed (or when no alert fell on a sensor fault). */
  readonly ttdMs: number | null;
}

const DAY_MS = 24 * 3600_000;

function byPatient<T extends { readonly patientId: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.patientId);
    if (list) list.push(item);
    else map.set(item.patientId, [item]);
  }
  return map;
}

/** Per episode: the first alert that starts in [start, end + grace], as a time to detect. */
export function matchEpisodes(
  episodes: readonly LabelledEpisode[],
  alerts: readonly EvaluatedAlert[],
  options: MatchOptions,
): EpisodeOutcome[] {
  const starts = new Map<string, number[]>();
  for (const [patientId, list] of byPatient(alerts))
    starts.set(
      patientId,
      list.map((a) => a.at).sort((a, b) => a - b),
    );
  return episodes.map((episode) => {
    const times = starts.get(episode.patientId) ?? [];
    const first = firstAtOrAfter(times, episode.start);
    const hit = first < times.length && times[first] <= episode.end + options.graceMs;
    // From the first reading that could show it, unless something else gave the alarm even earlier.
    const seen = episode.observableFrom;
    const from = seen !== undefined && hit && times[first] >= seen ? seen : episode.start;
    return { episode, ttdMs: hit ? times[first] - from : null };
  });
}

/** Index of the first value ≥ t in a sorted array (binary search). */
function firstAtOrAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One verdict per alert, in the order given. */
export function classifyAlerts(
  alerts: readonly EvaluatedAlert[],
  episodes: readonly LabelledEpisode[],
  options: MatchOptions,
): AlertVerdict[] {
  const episodesOf = byPatient(episodes);
  const inside = (a: EvaluatedAlert, e: LabelledEpisode) =>
    a.at >= e.start && a.at <= e.end + options.graceMs;
  return alerts.map((alert) => {
    const mine = episodesOf.get(alert.patientId) ?? [];
    if (mine.some((e) => e.category === 'clinical' && inside(alert, e))) return 'true';
    if (mine.some((e) => e.category === 'technical' && inside(alert, e))) return 'technical';
    return 'false';
  });
}

function summarise(
  patients: readonly MonitoredPatient[],
  outcomes: readonly EpisodeOutcome[],
  verdicts: readonly AlertVerdict[],
): EventSummary {
  const clinical = outcomes.filter((o) => o.episode.category === 'clinical');
  const ttds = clinical.flatMap((o) => (o.ttdMs === null ? [] : [o.ttdMs]));
  const patientDays = patients.reduce((sum, p) => sum + p.monitoredMs, 0) / DAY_MS;
  const count = (v: AlertVerdict) => verdicts.filter((x) => x === v).length;
  const trueAlerts = count('true');
  const technicalAlerts = count('technical');
  const falseAlerts = count('false');
  return {
    patients: patients.length,
    patientDays,
    episodes: clinical.length,
    detected: ttds.length,
    recall: ratio(ttds.length, clinical.length),
    alerts: verdicts.length,
    trueAlerts,
    technicalAlerts,
    falseAlerts,
    precision: ratio(trueAlerts, verdicts.length),
    falseAlertsPerPatientDay: ratio(falseAlerts, patientDays),
    technicalAlertsPerPatientDay: ratio(technicalAlerts, patientDays),
    ttdMedianMs: median(ttds),
    ttdP90Ms: percentile(ttds, 90),
  };
}

/** The full report: overall, per clinical anomaly type, per subgroup, and sensor faults apart. */
export function evaluateEvents(
  patients: readonly MonitoredPatient[],
  episodes: readonly LabelledEpisode[],
  alerts: readonly EvaluatedAlert[],
  options: MatchOptions,
): EventReport {
  const outcomes = matchEpisodes(episodes, alerts, options);
  const raised = alerts.filter((a) => a.reannounced !== true);
  const verdicts = classifyAlerts(raised, episodes, options);

  const typeSummary = (ttds: readonly (number | null)[]): TypeSummary => {
    const hits = ttds.flatMap((t) => (t === null ? [] : [t]));
    return {
      episodes: ttds.length,
      detected: hits.length,
      recall: ratio(hits.length, ttds.length),
      ttdMedianMs: median(hits),
      ttdP90Ms: percentile(hits, 90),
    };
  };
  const byType: Record<string, TypeSummary> = {};
  const clinicalTypes = [
    ...new Set(episodes.filter((e) => e.category === 'clinical').map((e) => e.type)),
  ].sort();
  for (const type of clinicalTypes)
    byType[type] = typeSummary(outcomes.filter((o) => o.episode.type === type).map((o) => o.ttdMs));
  const acuteTypes = new Set(options.acuteTypes ?? []);
  const acute = typeSummary(
    outcomes
      .filter((o) => o.episode.category === 'clinical' && acuteTypes.has(o.episode.type))
      .map((o) => o.ttdMs),
  );

  const bySubgroup: Record<string, EventSummary> = {};
  const groupsOf = (p: MonitoredPatient) => [p.subgroup, ...(p.groups ?? [])];
  const memberOf = new Map(patients.map((p) => [p.patientId, new Set(groupsOf(p))]));
  for (const group of [...new Set(patients.flatMap(groupsOf))].sort()) {
    const inGroup = (patientId: string) => memberOf.get(patientId)?.has(group) === true;
    bySubgroup[group] = summarise(
      patients.filter((p) => inGroup(p.patientId)),
      outcomes.filter((o) => inGroup(o.episode.patientId)),
      verdicts.filter((_, i) => inGroup(raised[i].patientId)),
    );
  }

  const confounders: Record<string, ConfounderSummary> = {};
  const falseAlerts = raised.filter((_, i) => verdicts[i] === 'false');
  const falseByPatient = byPatient(falseAlerts);
  for (const c of options.confounders ?? []) {
    const summary = (confounders[c.type] ??= { confounders: 0, falseAlerts: 0, withFalseAlert: 0 });
    const inside = (falseByPatient.get(c.patientId) ?? []).filter(
      (a) => a.at >= c.start && a.at <= c.end,
    ).length;
    confounders[c.type] = {
      confounders: summary.confounders + 1,
      falseAlerts: summary.falseAlerts + inside,
      withFalseAlert: summary.withFalseAlert + (inside > 0 ? 1 : 0),
    };
  }

  // A sensor fault "drew an alert" when an alert started inside it (or within grace after) —
  // the same window the verdicts use, so the two figures agree.
  const technicalOutcomes = outcomes.filter((o) => o.episode.category === 'technical');
  const technicalByType: Record<string, { episodes: number; alerted: number }> = {};
  for (const o of technicalOutcomes) {
    const t = (technicalByType[o.episode.type] ??= { episodes: 0, alerted: 0 });
    t.episodes += 1;
    if (o.ttdMs !== null) t.alerted += 1;
  }
  const alerted = technicalOutcomes.filter((o) => o.ttdMs !== null).length;

  return {
    ...summarise(patients, outcomes, verdicts),
    byType,
    acute,
    bySubgroup,
    confounders,
    unobservable: episodes.filter(
      (e) => e.category === 'clinical' && e.observableFrom !== undefined && e.observableFrom > e.end,
    ).length,
    technical: {
      episodes: technicalOutcomes.length,
      alerted,
      alertedFraction: ratio(alerted, technicalOutcomes.length),
      byType: technicalByType,
    },
  };
}
