import { VITALS, type Vital } from '@vigil/contracts';
import { type DetectionOptions, modelWindowsOf, type SampleLike } from '@vigil/detection';
import { type EventReport, type LabelledEpisode } from '../event-metrics';
import { type ChartPanel, svgChart } from '../plot/svg-chart';
import { type DetectorName, type EvaluationReplay } from '../replay/evaluation-replay';
import { type DetectorCurve } from './recording-evaluation';

const COLORS: Record<DetectorName, string> = {
  vigil: '#9467bd',
  news2: '#ff7f0e',
  zscore: '#2ca02c',
  'lstm-ae': '#1f77b4',
};
const PALETTE_FOR = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

/**
 * The model's reconstruction of windows, in the model's input units, for pictures: `raw` is B×T×F in
 * `features` order (NaN = missing); returns what the model was fed (gaps filled) and what it gave back.
 */
export interface Reconstructor {
  readonly features: readonly string[];
  reconstruct(
    raw: Float32Array,
    count: number,
  ): Promise<{ readonly input: Float32Array; readonly reconstruction: Float32Array }>;
}

export function precisionRecallChart(
  curves: Readonly<Partial<Record<DetectorName, DetectorCurve>>>,
  reports: Readonly<Partial<Record<DetectorName, EventReport>>>,
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

/** The first clinical episode the fused detector caught (else any clinical one), for the picture. */
export function pickEpisode(
  episodes: readonly (LabelledEpisode & { readonly vitals?: readonly Vital[] })[],
  replay: EvaluationReplay,
  graceMs: number,
): (LabelledEpisode & { readonly vitals?: readonly Vital[] }) | undefined {
  const clinical = episodes.filter((e) => e.category === 'clinical' && replay.traces.has(e.patientId));
  return (
    clinical.find((e) =>
      replay.alerts.vigil.some(
        (a) => a.patientId === e.patientId && a.at >= e.start && a.at <= e.end + graceMs,
      ),
    ) ?? clinical[0]
  );
}

interface ReconstructionTrace {
  readonly at: number[];
  /** Per vital the model sees: the last second of each window as fed to the model, and as reconstructed. */
  readonly input: Partial<Record<Vital, number[]>>;
  readonly reconstruction: Partial<Record<Vital, number[]>>;
}

const marginOf = (e: LabelledEpisode) => Math.max(30 * 60_000, (e.end - e.start) / 2);

/**
 * The model's view of one episode: the pipeline's own windows (modelWindowsOf, the scorer's
 * windowing and baselines, fed the patient's samples from the start so the baselines are learned),
 * reconstructed by the model.
 */
export async function reconstructionTrace(
  samples: AsyncIterable<SampleLike>,
  episode: LabelledEpisode,
  options: DetectionOptions,
  model: Reconstructor,
): Promise<ReconstructionTrace | null> {
  if (!options.model) return null;
  const margin = marginOf(episode);
  const from = episode.start - margin;
  const to = episode.end + margin;
  const mine: SampleLike[] = [];
  for await (const s of samples) if (s.patientId === episode.patientId && s.ts <= to) mine.push(s);
  mine.sort((a, b) => a.ts - b.ts);
  const T = options.windowLength;
  const V = VITALS.length;
  const index = model.features.map((f) => VITALS.indexOf(f as Vital));
  const F = index.length;
  const raws: Float32Array[] = [];
  const at: number[] = [];
  for (const w of modelWindowsOf({ ...options, model: options.model }, mine)) {
    if (w.at < from) continue;
    const raw = new Float32Array(T * F);
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) raw[t * F + f] = w.input[t * V + index[f]];
    raws.push(raw);
    at.push(w.at);
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

export function episodeChart(
  episode: LabelledEpisode & { readonly vitals?: readonly Vital[] },
  replay: EvaluationReplay,
  options: DetectionOptions,
  recon: ReconstructionTrace | null,
): string {
  const trace = replay.traces.get(episode.patientId);
  if (!trace) return svgChart([]);
  const margin = marginOf(episode);
  const from = episode.start - margin;
  const to = episode.end + margin;
  const idx = trace.at.map((t, i) => [t, i] as const).filter(([t]) => t >= from && t <= to);
  const minutes = (t: number) => (t - episode.start) / 60_000;
  const band = [{ from: 0, to: minutes(episode.end), label: `${episode.type} (labelled)` }];
  const markers = (['vigil', 'news2', 'zscore', 'lstm-ae'] as const).flatMap((d) =>
    replay.alerts[d]
      .filter((a) => a.patientId === episode.patientId && !a.reannounced && a.at >= from && a.at <= to)
      .map((a) => ({ x: minutes(a.at), label: d, color: COLORS[d] })),
  );
  const vitals = episode.vitals?.length ? episode.vitals : (['hr', 'spo2'] as const);
  const panels: ChartPanel[] = [
    {
      title: `Patient ${episode.patientId}: ${episode.type}; each vital as the pipeline judged it (solid) and the patient's usual (dashed)`,
      yLabel: 'value',
      series: vitals.flatMap((v, k) => [
        {
          name: v,
          color: PALETTE_FOR[k % PALETTE_FOR.length],
          points: idx.map(([t, i]) => [minutes(t), trace.latest[v][i]] as const),
        },
        {
          name: `${v} usual`,
          color: PALETTE_FOR[k % PALETTE_FOR.length],
          dashed: true,
          points: idx.map(([t, i]) => [minutes(t), trace.usual[v][i]] as const),
        },
      ]),
      bands: band,
      markers,
      height: 260,
    },
    {
      title: 'Scores per window',
      yLabel: 'score',
      series: [
        {
          name: 'largest deviation (z)',
          color: COLORS.vigil,
          points: idx.map(([t, i]) => [minutes(t), trace.deviation[i]] as const),
        },
        {
          name: 'recon. error ÷ alert level',
          color: COLORS['lstm-ae'],
          points: idx.map(([t, i]) => [minutes(t), trace.model[i] ?? NaN] as const),
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
            title:
              'LSTM-AE input (solid) and its reconstruction (dashed), last second of each window, as the model reads it (deviation from usual)',
            yLabel: 'deviation',
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
  ];
  return svgChart(panels);
}
