import { resolve } from 'node:path';
import { type Command } from 'commander';
import { loadConfig } from '@vigil/config';
import { compareAlertRates, evaluateLabelledRecording } from '@vigil/evaluation';
import { readRecording, readSamples } from '@vigil/simulator';
import { Output, table } from '../output';
import { positiveNumber } from '../option-parsers';
import { progressBar } from '../progress-bar';
import { loadDetection } from './evaluate.command';
import { labelledRecording } from './evaluate/recording-evaluation';
import {
  type ComparedModel,
  comparedAlerts,
  comparisonRows,
  type ModelComparison,
} from './models/compare-report';

interface CompareOptions {
  recording: string;
  a?: string;
  b: string;
  grace: number;
  tolerance: number;
  json?: boolean;
}

/** `vigil models <what>`: work on model versions (compare before promoting a shadow). */
export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('Compare model versions before promoting one');
  models
    .command('compare')
    .description(
      'Replay one recording through the scorer’s pipeline with model A and with model B: both alert rates (per patient-day, per severity), detection figures and their agreement, side by side',
    )
    .requiredOption('--recording <dir>', 'a recording (samples.csv + labels.json, docs/recording-format.md)')
    .option('--a <dir>', 'model A, e.g. the live one (default VIGIL_MODEL_DIR; none: the rules only)')
    .requiredOption('--b <dir>', 'model B, e.g. the shadow (none: the rules only)')
    .option(
      '--grace <minutes>',
      'an alert up to this long after an episode ends still detects it',
      positiveNumber,
      5,
    )
    .option(
      '--tolerance <minutes>',
      'alerts of A and B on the same patient this close in time count as the same alert',
      positiveNumber,
      5,
    )
    .option('--json', 'print one JSON object as the last line')
    .action((options: CompareOptions) => compare(options));
}

async function compare(options: CompareOptions): Promise<void> {
  const out = new Output(options);
  const config = loadConfig();
  const recording = labelledRecording(options.recording, await readRecording(options.recording));
  const graceMs = options.grace * 60_000;
  const run = async (dir: string, label: string) => {
    const { detection, scorer, modelNote, dispose } = await loadDetection(dir, config, out);
    try {
      const bar = progressBar(`model ${label}`, 'samples', recording.samples);
      const { evaluation, alerts } = await evaluateLabelledRecording(
        recording,
        readSamples(options.recording),
        {
          detection,
          scorer,
          modelNote,
          graceMs,
          onProgress: (samples, windows) => bar.update(samples, { status: `${windows} windows` }),
        },
      );
      bar.stop();
      const model: ComparedModel = {
        dir: modelNote === null ? resolve(dir) : `${dir} (${modelNote})`,
        report: recording.episodes.length > 0 ? (evaluation.reports.vigil ?? null) : null,
      };
      return { model, alerts: comparedAlerts(alerts), patientDays: evaluation.patientDays };
    } finally {
      await dispose();
    }
  };
  const a = await run(options.a ?? config.modelDir, 'A');
  const b = await run(options.b, 'B');
  const result: ModelComparison = {
    recording: options.recording,
    a: a.model,
    b: b.model,
    rates: compareAlertRates(a.alerts, b.alerts, a.patientDays, options.tolerance * 60_000),
  };
  out.result(
    result,
    () =>
      `\nRecording ${options.recording}: ${recording.patients.length} patients, ${a.patientDays.toFixed(2)} patient-days\n` +
      `  A: ${a.model.dir}\n  B: ${b.model.dir}\n\n` +
      table(comparisonRows(result), ['clinical alerts', 'A', 'B']),
  );
}
