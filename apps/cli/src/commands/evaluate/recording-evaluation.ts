import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Vital, VITALS } from '@vigil/contracts';
import {
  type DetectionOptions,
  type SampleLike,
  VitalsWindow,
  type WindowScorerLike,
} from '@vigil/detection';
import {
  DEFAULT_ZSCORE_OPTIONS,
  DETECTORS,
  EvaluationReplay,
  averagePrecision,
  bootstrapEventIntervals,
  evaluateEvents,
  precisionRecallCurve,
  tailQuantileThresholds,
  svgChart,
  type ChartPanel,
  type DetectorName,
  type EventIntervals,
  type EventReport,
  type LabelledEpisode,
  type MonitoredPatient,
  type PrPoint,
  type ScorePoint,
} from '@vigil/evaluation';
import {
  monitoredMs,
  readRecording,
  readSamples,
  recordingSpan,
  type Recording,
  type RecordingEpisode,
} from '@vigil/simulator';
import { type ProgressFactory, type Reconstructor } from './cli-edges';

export interface RecordingEvaluation {
  readonly recording: string;
  /** Patients and span of the recording; the seed when the simulator made it. */
  readonly meta: { readonly patients: number; readonly durationMs: number; readonly seed?: number };
  readonly graceMs: number;
  /** The scorer's settings the replay ran with. */
  readonly detection: DetectionOptions;
  readonly samples: number;
  readonly windows: number;
  readonly wallSeconds: number;
  /** Detectors that ran, and the ones that did not and why. */
  readonly ran: readonly DetectorName[];
  readonly notRun: Readonly<Partial<Record<DetectorName, string>>>;
  readonly reports: Readonly<Partial<Record<DetectorName, EventReport>>>;
  /** The pipeline's sensor check: technical alarms against the labelled sensor faults. */
  readonly sensorCheck: {
    readonly alarms: number;
    /** Alarms raised inside a labelled sensor fault (the rest fired on normal or clinical stretches). */
    readonly duringFaults: number;
    readonly faults: EventReport['technical'];
  };
  /** 95 % percentile-bootstrap intervals over patients (1,000 resamples, seeded). */
  readonly intervals: Readonly<Partial<Record<DetectorName, EventIntervals>>>;
  /** Event-level PR curve of each detector's raw window score (no alert policy), and its average precision. */
  readonly curves: Readonly<
    Partial<
      Record<
        DetectorName,
        { readonly score: string; readonly ap: number | null; readonly points: readonly PrPoint[] }
      >
    >
  >;
  readonly pictures: readonly string[];
}

/** Which raw score each detector alerts on, for its PR curve. */
const SCORE_OF: Partial<
  Record<DetectorName, { label: string; key: 'news2' | 'zscore' | 'model' | 'deviation' }>
> = {
  news2: { label: 'NEWS2 aggregate', key: 'news2' },
  zscore: { label: 'max |z| over vitals', key: 'zscore' },
  'lstm-ae': { label: 'reconstruction error ÷ calibrated alert level', key: 'model' },
  vigil: { label: 'largest deviation from the patient’s usual (z)', key: 'deviation' },
};

const PALETTE_FOR = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];
const COLORS: Record<DetectorName, string> = {
  news2: '#ff7f0e',
  zscore: '#2ca02c',
  'lstm-ae': '#1f77b4',
  vigil: '#9467bd',
};

export async function evaluateRecording(
  dir: string,
  options: DetectionOptions,
  scorer: WindowScorerLike | null,
  modelNote: string | null,
  graceMs: number,
  outDir: string | null,
  info: (line: string) => void,
  progressBar: ProgressFactory,
  reconstructor: Reconstructor | null = null,
  alertsOut: string | null = null,
): Promise<RecordingEvaluation> {
  const labels = await readRecording(dir);
  const replay = new EvaluationReplay(options, scorer, DEFAULT_ZSCORE_OPTIONS);
  const total = labels.samples;
  const bar = progressBar('evaluate', 'samples', total);
  const t0 = performance.now();
  let batch: SampleLike[] = [];
  for await (const s of readSamples(dir)) {
    batch.push(s);
    if (batch.length >= 4096) {
      await replay.push(batch);
      batch = [];
      bar.update(replay.samples, { status: `${replay.windows} windows` });
    }
  }
  await replay.push(batch);
  bar.update(replay.samples, { status: `${replay.windows} windows` });
  bar.stop();
  const wallSeconds = (performance.now() - t0) / 1000;
  if (alertsOut) {
    await writeFile(
      alertsOut,
      replay
        .alertRecords()
        .map((r) => JSON.stringify(r) + '\n')
        .join(''),
    );
    info(`Alerts raised: ${alertsOut}`);
  }

  const patients: MonitoredPatient[] = labels.patients.map((p) => ({
    patientId: p.patientId,
    subgroup: p.subgroup ?? 'all',
    monitoredMs: monitoredMs(labels, p),
  }));
  const episodes: LabelledEpisode[] = labels.episodes.map((e) => ({
    patientId: e.patientId,
    type: e.type,
    category: e.category,
    start: e.start,
    end: e.end,
  }));
  const ran: DetectorName[] = replay.hasModel ? [...DETECTORS] : DETECTORS.filter((d) => d !== 'lstm-ae');
  const notRun: Partial<Record<DetectorName, string>> = {};
  if (!replay.hasModel) notRun['lstm-ae'] = modelNote ?? 'no model';

  const reports: Partial<Record<DetectorName, EventReport>> = {};
  const intervals: Partial<Record<DetectorName, EventIntervals>> = {};
  for (const d of ran) {
    reports[d] = evaluateEvents(patients, episodes, replay.alerts[d], { graceMs });
    intervals[d] = bootstrapEventIntervals(
      patients,
      episodes,
      replay.alerts[d],
      { graceMs },
      { resamples: 1000, seed: 1, level: 0.95 },
    );
  }

  const sensorReport = evaluateEvents(patients, episodes, replay.technicalAlerts, { graceMs });
  const sensorCheck = {
    alarms: replay.technicalAlerts.length,
    duringFaults: sensorReport.technicalAlerts,
    faults: sensorReport.technical,
  };

  info('Tracing precision–recall curves of the raw scores…');
  const curves: Partial<Record<DetectorName, { score: string; ap: number | null; points: PrPoint[] }>> = {};
  for (const d of ran) {
    const s = SCORE_OF[d];
    if (!s) continue;
    const points: ScorePoint[] = [];
    for (const [patientId, t] of replay.traces) {
      const scores = t[s.key];
      for (let i = 0; i < t.at.length; i++) points.push({ patientId, at: t.at[i], score: scores[i] });
    }
    const thresholds = tailQuantileThresholds(
      points.map((p) => p.score),
      30,
    ).filter((th) => th > 0);
    const curve = precisionRecallCurve(points, patients, episodes, thresholds, {
      graceMs,
      cooldownMs: options.policy.cooldownMs,
    });
    curves[d] = { score: s.label, ap: averagePrecision(curve), points: curve };
  }

  const pictures: string[] = [];
  if (outDir) {
    const pr = join(outDir, 'precision-recall.svg');
    await writeFile(pr, prChart(curves, reports));
    pictures.push(pr);
    const episode = pickEpisode(labels, reports, replay, graceMs);
    if (episode) {
      const file = join(outDir, `episode-${episode.patientId}-${episode.type}.svg`);
      const recon = reconstructor ? await reconstructionTrace(dir, episode, options, reconstructor) : null;
      await writeFile(file, episodeChart(episode, replay, options, recon));
      pictures.push(file);
    }
  }

  return {
    recording: dir,
    meta: {
      patients: labels.patients.length,
      durationMs: recordingSpan(labels).durationMs,
      ...(labels.meta ? { seed: labels.meta.seed } : {}),
    },
    graceMs,
    detection: options,
    samples: replay.samples,
    windows: replay.windows,
    wallSeconds,
    ran,
    notRun,
    reports,
    sensorCheck,
    intervals,
    curves,
    pictures,
  };
}

function prChart(
  curves: Partial<Record<DetectorName, { score: string; ap: number | null; points: PrPoint[] }>>,
  reports: Partial<Record<DetectorName, EventReport>>,
): string {
  const series = Object.entries(curves).map(([d, c]) => ({
    name: `${d} (AP ${c.ap?.toFixed(2) ?? '-'})`,
    color: COLORS[d as DetectorName],
    // In threshold order (highest first), the way the operating point moves as the threshold
    // falls; with rising-edge alerts recall need not grow monotonically (runs merge).
    points: [...c.points]
      .sort((a, b) => b.threshold - a.threshold)
      .filter((p) => p.precision !== null && p.recall !== null)
      .map((p) => [p.recall as number, p.precision as number] as const),
  }));
  const sweepPoints = series.map((s) => ({ ...s, name: '', kind: 'points' as const }));
  const operating = Object.entries(reports)
    .filter(([, r]) => r.recall !== null && r.precision !== null)
    .map(([d, r]) => ({
      name: `${d}, alert policy`,
      kind: 'points' as const,
      color: COLORS[d as DetectorName],
      points: [[r.recall as number, r.precision as number] as const],
    }));
  return svgChart([
    {
      title: 'Event-level precision–recall (threshold sweep of each raw score; dots: with the alert policy)',
      xLabel: 'recall (clinical episodes detected)',
      yLabel: 'precision (alerts on a clinical episode)',
      xDomain: [0, 1],
      yDomain: [0, 1],
      series: [...series, ...sweepPoints, ...operating],
      height: 460,
    },
  ]);
}

/** The first clinical episode the LSTM-AE detected (else NEWS2, else any), for the picture. */
function pickEpisode(
  labels: Recording,
  reports: Partial<Record<DetectorName, EventReport>>,
  replay: EvaluationReplay,
  graceMs: number,
) {
  const clinical = labels.episodes.filter((e) => e.category === 'clinical' && replay.traces.has(e.patientId));
  const hitBy = (d: DetectorName) =>
    clinical.find((e) =>
      replay.alerts[d].some((a) => a.patientId === e.patientId && a.at >= e.start && a.at <= e.end + graceMs),
    );
  return (reports['lstm-ae'] ? hitBy('lstm-ae') : undefined) ?? hitBy('news2') ?? clinical[0];
}

type Episode = RecordingEpisode;

interface ReconstructionTrace {
  readonly at: number[];
  /** Per vital the model sees: the last second of each window as fed to the model, and as reconstructed. */
  readonly input: Partial<Record<Vital, number[]>>;
  readonly reconstruction: Partial<Record<Vital, number[]>>;
}

/**
 * Second pass over the recording for one patient around one episode: the same 1 Hz windows the
 * pipeline builds, every stride, reconstructed by the model.
 */
async function reconstructionTrace(
  dir: string,
  episode: Episode,
  options: DetectionOptions,
  model: Reconstructor,
): Promise<ReconstructionTrace> {
  const margin = Math.max(30 * 60_000, (episode.end - episode.start) / 2);
  const from = episode.start - margin - options.windowLength * options.cadenceMs;
  const to = episode.end + margin;
  const window = new VitalsWindow(options.windowLength, options.cadenceMs);
  const T = options.windowLength;
  const V = VITALS.length;
  const index = model.features.map((f) => VITALS.indexOf(f as Vital));
  const F = index.length;
  const full = new Float32Array(T * V);
  const raws: Float32Array[] = [];
  const at: number[] = [];
  let lastSlot = -Infinity;
  for await (const s of readSamples(dir)) {
    if (s.patientId !== episode.patientId || s.ts < from || s.ts > to) continue;
    if (!window.push(s.ts, s)) continue;
    if (window.newestSlot - lastSlot < options.strideSlots || window.filled < T / 2) continue;
    lastSlot = window.newestSlot;
    window.copyTo(full);
    const raw = new Float32Array(T * F);
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) raw[t * F + f] = full[t * V + index[f]];
    raws.push(raw);
    at.push(window.endTs);
  }
  const batch = new Float32Array(raws.length * T * F);
  raws.forEach((r, b) => batch.set(r, b * T * F));
  const { input, reconstruction } = await model.reconstruct(batch, raws.length);
  const trace: ReconstructionTrace = { at, input: {}, reconstruction: {} };
  index.forEach((_, f) => {
    const vital = model.features[f] as Vital;
    const last = (a: Float32Array) => at.map((_t, b) => a[(b * T + T - 1) * F + f]);
    trace.input[vital] = last(input);
    trace.reconstruction[vital] = last(reconstruction);
  });
  return trace;
}

function episodeChart(
  episode: Episode,
  replay: EvaluationReplay,
  options: DetectionOptions,
  recon: ReconstructionTrace | null,
): string {
  const trace = replay.traces.get(episode.patientId);
  if (!trace) return svgChart([]);
  const margin = Math.max(30 * 60_000, (episode.end - episode.start) / 2);
  const from = episode.start - margin;
  const to = episode.end + margin;
  const idx = trace.at.map((t, i) => [t, i] as const).filter(([t]) => t >= from && t <= to);
  const minutes = (t: number) => (t - episode.start) / 60_000;
  const band = [{ from: 0, to: minutes(episode.end), label: `${episode.type} (labelled)` }];
  const markers = (['news2', 'zscore', 'lstm-ae'] as const).flatMap((d) =>
    replay.alerts[d]
      .filter((a) => a.patientId === episode.patientId && a.at >= from && a.at <= to)
      .map((a) => ({ x: minutes(a.at), label: d, color: COLORS[d] })),
  );
  const vitals = episode.vitals?.length ? episode.vitals : (['hr', 'spo2'] as const);
  const panels: ChartPanel[] = [
    {
      title: `Patient ${episode.patientId}: ${episode.type}, vitals the pipeline saw (median of the last ${options.recentSlots.hr.rise} s per window)`,
      yLabel: 'value',
      series: vitals.map((v) => ({
        name: v,
        points: idx.map(([t, i]) => [minutes(t), trace.latest[v][i]] as const),
      })),
      bands: band,
      markers,
      height: 260,
    },
    {
      title: 'Anomaly scores per window',
      yLabel: 'score',
      series: [
        {
          name: 'recon. error ÷ usual',
          color: COLORS['lstm-ae'],
          points: idx.map(([t, i]) => [minutes(t), trace.model[i] ?? NaN] as const),
        },
        {
          name: 'max |z|',
          color: COLORS.zscore,
          points: idx.map(([t, i]) => [minutes(t), trace.zscore[i] ?? NaN] as const),
        },
        {
          name: 'NEWS2',
          color: COLORS.news2,
          points: idx.map(([t, i]) => [minutes(t), trace.news2[i]] as const),
        },
      ],
      hlines: options.model ? [{ y: 1, label: 'model alert level (calibrated)' }] : [],
      bands: band,
      markers,
      height: 240,
    },
    ...(recon
      ? [
          {
            title: 'LSTM-AE input (solid) and its reconstruction (dashed), last second of each window',
            yLabel: 'value',
            series: vitals.flatMap((v, k) =>
              recon.input[v] && recon.reconstruction[v]
                ? [
                    {
                      name: `${v} input`,
                      color: PALETTE_FOR[k % PALETTE_FOR.length],
                      points: recon.at.map((t, i) => [minutes(t), recon.input[v]?.[i] ?? NaN] as const),
                    },
                    {
                      name: `${v} reconstructed`,
                      color: PALETTE_FOR[k % PALETTE_FOR.length],
                      dashed: true,
                      points: recon.at.map(
                        (t, i) => [minutes(t), recon.reconstruction[v]?.[i] ?? NaN] as const,
                      ),
                    },
                  ]
                : [],
            ),
            bands: band,
            markers,
            height: 260,
          },
        ]
      : []),
    {
      title: 'Reconstruction error by vital (the model’s per-feature contributions)',
      xLabel: 'minutes from episode start',
      yLabel: 'contribution',
      series: vitals.map((v) => ({
        name: v,
        points: idx.map(([t, i]) => [minutes(t), trace.contributions[v][i]] as const),
      })),
      bands: band,
      height: 220,
    },
  ];
  return svgChart(panels);
}
