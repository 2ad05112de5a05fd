import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DetectionOptions, type WindowScorerLike } from '@vigil/detection';
import {
  episodeChart,
  evaluateLabelledRecording,
  type LabelledRecording,
  pickEpisode,
  precisionRecallChart,
  type Reconstructor,
  reconstructionTrace,
  type RecordingEvaluation as Evaluation,
} from '@vigil/evaluation';
import { monitoredMs, readRecording, readSamples, type Recording } from '@vigil/simulator';
import { type ProgressFactory } from './cli-edges';

export interface RecordingEvaluation extends Evaluation {
  readonly pictures: readonly string[];
  readonly alertsOut: string | null;
}

/**
 * The file edge of `vigil evaluate --recording`: reads the folder (samples.csv + labels.json),
 * runs the evaluation in libs/evaluation, writes the pictures and `--alerts-out` JSONL.
 */
export async function evaluateRecording(
  dir: string,
  detection: DetectionOptions,
  scorer: WindowScorerLike | null,
  modelNote: string | null,
  graceMs: number,
  outDir: string | null,
  info: (line: string) => void,
  progressBar: ProgressFactory,
  reconstructor: Reconstructor | null = null,
  alertsOut: string | null = null,
): Promise<RecordingEvaluation> {
  const recording = labelledRecording(dir, await readRecording(dir));
  const bar = progressBar('evaluate', 'samples', recording.samples);
  const { evaluation, replay, alerts } = await evaluateLabelledRecording(recording, readSamples(dir), {
    detection,
    scorer,
    modelNote,
    graceMs,
    onProgress: (samples, windows) => bar.update(samples, { status: `${windows} windows` }),
  });
  bar.stop();

  if (alertsOut) {
    await writeFile(alertsOut, alerts.map((a) => JSON.stringify(a) + '\n').join(''));
    info(`${alerts.length} alerts raised, written to ${alertsOut}`);
  }
  const pictures: string[] = [];
  if (outDir) {
    const pr = join(outDir, 'precision-recall.svg');
    await writeFile(pr, precisionRecallChart(evaluation.curves, evaluation.reports));
    pictures.push(pr);
    const episode = pickEpisode(recording.episodes, replay, graceMs);
    if (episode) {
      const file = join(outDir, `episode-${episode.patientId}-${episode.type}.svg`);
      const recon = reconstructor
        ? await reconstructionTrace(readSamples(dir), episode, detection, reconstructor)
        : null;
      await writeFile(file, episodeChart(episode, replay, detection, recon));
      pictures.push(file);
    }
  }
  return { ...evaluation, pictures, alertsOut };
}

/** A recording as read from disk, in the evaluation's terms (groups: age band; normal at a band edge). */
export function labelledRecording(dir: string, r: Recording): LabelledRecording {
  return {
    name: dir,
    patients: r.patients.map((p) => ({
      patientId: p.patientId,
      subgroup: p.subgroup ?? 'all',
      groups:
        p.bandEdge === undefined ? [] : [p.bandEdge === null ? 'usual normal' : `band edge: ${p.bandEdge}`],
      monitoredMs: monitoredMs(r, p),
    })),
    episodes: r.episodes.map((e) => ({
      patientId: e.patientId,
      type: e.type,
      category: e.category,
      start: e.start,
      end: e.end,
      ...(e.vitals ? { vitals: e.vitals } : {}),
    })),
    confounders: r.confounders,
    samples: r.samples,
    ...(r.meta ? { seed: r.meta.seed } : {}),
  };
}
