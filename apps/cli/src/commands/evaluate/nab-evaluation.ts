import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  NAB_PROFILE_NAMES,
  NullDetector,
  ReconstructionDetector,
  WindowedGaussianDetector,
  asPublished,
  parseNabCsv,
  profilesFromJson,
  scoreNabCorpus,
  windowsToRows,
  type NabDetector,
  type NabFileScores,
  type NabProfileName,
  type NabProfileResult,
} from '@vigil/evaluation';
import { type ProgressFactory } from './cli-edges';

export interface NabRun {
  readonly detector: string;
  readonly description: string;
  readonly scores: Readonly<Record<NabProfileName, number>>;
  readonly details: readonly NabProfileResult[];
  readonly seconds: number;
}

export interface NabEvaluation {
  readonly corpus: string;
  readonly files: number;
  readonly windows: number;
  readonly rows: number;
  readonly runs: readonly NabRun[];
  /** The published scoreboard (results/final_results.json), per detector and profile. */
  readonly published: Readonly<Record<string, Readonly<Record<NabProfileName, number>>>>;
  /** Our run of NAB's own windowedGaussian minus its published score, per profile: ~0 means this scorer is NAB's. */
  readonly reproduction: Readonly<Record<NabProfileName, number>> | null;
}

export async function evaluateNab(
  dir: string,
  progressBar: ProgressFactory,
  extra: readonly NabDetector[] = [],
): Promise<NabEvaluation> {
  const labels = JSON.parse(await readFile(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const profiles = profilesFromJson(JSON.parse(await readFile(join(dir, 'config', 'profiles.json'), 'utf8')));
  const published = JSON.parse(await readFile(join(dir, 'results', 'final_results.json'), 'utf8')) as Record<
    string,
    Record<NabProfileName, number>
  >;
  const names = Object.keys(labels).sort();
  const series = await Promise.all(
    names.map(async (name) => ({ name, ...parseNabCsv(await readFile(join(dir, 'data', name), 'utf8')) })),
  );
  const windows = series.map((s) => windowsToRows(s.timestamps, labels[s.name]));

  const detectors: NabDetector[] = [
    new NullDetector(),
    new WindowedGaussianDetector(),
    new ReconstructionDetector(),
    ...extra,
  ];
  const bar = progressBar('nab', 'files', detectors.length * names.length);
  const runs: NabRun[] = [];
  for (const detector of detectors) {
    const t0 = performance.now();
    const files: NabFileScores[] = [];
    for (const [i, s] of series.entries()) {
      const anomalyScores = asPublished(await detector.detect(s.values));
      bar.increment(1, { status: detector.name });
      files.push({ name: s.name, anomalyScores, windows: windows[i] });
    }
    const details = scoreNabCorpus(files, profiles);
    const scores = Object.fromEntries(details.map((d) => [d.profile, d.score])) as Record<
      NabProfileName,
      number
    >;
    runs.push({
      detector: detector.name,
      description: detector.description,
      scores,
      details,
      seconds: (performance.now() - t0) / 1000,
    });
  }
  bar.stop();

  const ours = runs.find((r) => r.detector === 'windowedGaussian');
  const theirs = published.windowedGaussian;
  const reproduction =
    ours && theirs
      ? (Object.fromEntries(NAB_PROFILE_NAMES.map((p) => [p, ours.scores[p] - theirs[p]])) as Record<
          NabProfileName,
          number
        >)
      : null;
  return {
    corpus: dir,
    files: names.length,
    windows: windows.reduce((n, w) => n + w.length, 0),
    rows: series.reduce((n, s) => n + s.values.length, 0),
    runs,
    published,
    reproduction,
  };
}
