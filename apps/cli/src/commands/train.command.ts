import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { type SingleBar } from 'cli-progress';
import { TRAINING_CURVE_FILE, trainModel, type TfBackend } from '@vigil/model';
import { recordSimulation } from '@vigil/simulator';
import { Output, table } from '../output';
import { integerAtLeast, nonNegativeNumber, positiveNumber } from '../option-parsers';
import { progressBar } from '../progress-bar';

interface TrainOptions {
  recording?: string;
  name: string;
  models: string;
  seed: number;
  window: number;
  units: number;
  stride: number;
  maxWindows: number;
  epochs: number;
  patience: number;
  batch: number;
  lr: number;
  backend?: TfBackend;
  simPatients: number;
  simHours: number;
  budget: number;
  json?: boolean;
}

/** Simulated training data starts at a fixed instant, so a seed alone reproduces it. */
const SIM_START_MS = Date.UTC(2026, 0, 5);

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      'Train the LSTM autoencoder on the normal stretches of a labelled recording; writes models/<name>/ (TF.js, ONNX, metadata, training curve)',
    )
    .option(
      '--recording <dir>',
      'recording folder (samples.csv + labels.json, docs/recording-format.md); without it, one is simulated with --seed',
    )
    .option('--name <name>', 'model name: writes <models>/<name>/', 'default')
    .option('--models <dir>', 'folder of models', 'models')
    .option(
      '--seed <n>',
      'seed for weights, shuffling, subsampling (and the simulated recording)',
      integerAtLeast(0),
      1,
    )
    .option('--window <T>', 'window length in samples', integerAtLeast(4), 60)
    .option('--units <H>', 'LSTM width', integerAtLeast(1), 32)
    .option(
      '--stride <S>',
      'samples between training windows (in whole steps of the scorer’s 5 s window stride)',
      integerAtLeast(1),
      30,
    )
    .option(
      '--max-windows <n>',
      'at most this many training windows (validation: a quarter of it)',
      integerAtLeast(1),
      4000,
    )
    .option('--epochs <n>', 'most epochs', integerAtLeast(1), 12)
    .option('--patience <n>', 'early stopping: epochs without a better val_loss', integerAtLeast(1), 3)
    .option('--batch <n>', 'batch size', integerAtLeast(1), 64)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 2e-3)
    .addOption(
      new Option('--backend <name>', 'TF.js backend (default: best available)').choices([
        'tensorflow',
        'wasm',
        'cpu',
      ]),
    )
    .option('--sim-patients <n>', 'patients in the simulated recording', integerAtLeast(1), 10)
    .option('--sim-hours <h>', 'hours of the simulated recording', positiveNumber, 24)
    .option(
      '--budget <n>',
      'false alerts per patient-day the model may raise on held-out normal data (calibrates the alert level)',
      nonNegativeNumber,
      0.5,
    )
    .option('--json', 'print one JSON object (the model metadata) as the last line')
    .action((options: TrainOptions) => train(options));
}

async function train(options: TrainOptions): Promise<void> {
  const out = new Output(options);
  const outDir = resolve(options.models, options.name);
  let recordingDir = options.recording;
  let tempDir: string | null = null;
  try {
    if (!recordingDir) {
      tempDir = await mkdtemp(join(tmpdir(), 'vigil-train-'));
      recordingDir = tempDir;
      const seconds = Math.round(options.simHours * 3600);
      out.info(
        `No --recording: simulating ${options.simPatients} patients × ${options.simHours} h (seed ${options.seed})`,
      );
      const bar = progressBar('simulate', 's', seconds);
      await recordSimulation(
        { seed: options.seed, patients: options.simPatients, startMs: SIM_START_MS, episodes: 'default' },
        seconds * 1000,
        tempDir,
        (ms) => bar.update(Math.floor(ms / 1000)),
      );
      bar.stop();
    }

    let bar: SingleBar | null = null;
    let scoreBar: SingleBar | null = null;
    const { metadata, calibration } = await trainModel({
      recordingDir,
      outDir,
      name: options.name,
      seed: options.seed,
      windowSize: options.window,
      units: options.units,
      stride: options.stride,
      maxWindows: options.maxWindows,
      epochs: options.epochs,
      patience: options.patience,
      batchSize: options.batch,
      learningRate: options.lr,
      budgetPerPatientDay: options.budget,
      backend: options.backend,
      version: await vigilVersion(),
      onStage: (stage) => out.info(`${stage}…`),
      onBatch: (epoch, batch, batches, loss) => {
        bar ??= progressBar(`epoch ${String(epoch).padStart(2)}/${options.epochs}`, 'batches', batches);
        bar.update(batch, { status: `loss ${loss.toFixed(4)}` });
      },
      onEpoch: (e) => {
        bar?.update({
          status: `loss ${e.loss.toFixed(4)} val_loss ${e.valLoss.toFixed(4)}${e.improved ? ' (best)' : ''}`,
        });
        bar?.stop();
        bar = null;
      },
      onScore: (done, total) => {
        scoreBar ??= progressBar('score held-out', 'windows', total);
        scoreBar.update(done);
        if (done === total) scoreBar.stop();
      },
    });

    out.result({ dir: outDir, ...metadata }, () =>
      [
        '',
        `Model written to ${outDir} (TF.js model.json + weights.bin, model.onnx, metadata.json, ${TRAINING_CURVE_FILE})`,
        '',
        table(
          metadata.training.history.map((h) => [
            h.epoch,
            h.loss.toFixed(4),
            h.valLoss.toFixed(4),
            h.epoch === metadata.training.bestEpoch ? '*' : '',
          ]),
          ['epoch', 'loss', 'val_loss', 'best'],
        ),
        '',
        `windows: ${metadata.training.windows.train} train, ${metadata.training.windows.validation} validation (${metadata.training.windows.excludedForEpisodes} left out: labelled episodes)`,
        `alert level ${calibration.alert.toFixed(4)} (p${(calibration.quantile * 100).toFixed(3)} of held-out scores): ${calibration.alertsPerPatientDay} false alerts per patient-day (${calibration.alerts} in ${calibration.patientDays} patient-days, ${calibration.windows} windows; budget ${calibration.budgetPerPatientDay}${calibration.met ? '' : ' NOT MET: highest candidate level taken'})`,
        `alert policy: ${calibration.policy.confirm} of ${calibration.policy.of} windows, clear after ${calibration.policy.clear}, cooldown ${calibration.policy.cooldownMs / 60_000} min`,
        `thresholds on held-out normal windows: p95 ${metadata.thresholds.p95.toFixed(4)}, p99 ${metadata.thresholds.p99.toFixed(4)}, p99.9 ${metadata.thresholds.p999.toFixed(4)}`,
        `data sha256 ${metadata.training.dataSha256}; backend ${metadata.training.backend}; ${metadata.training.seconds} s`,
      ].join('\n'),
    );
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/** The version in the repository's package.json (the CLI runs from dist/ or from sources). */
async function vigilVersion(): Promise<string> {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(await readFile(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vigil') return pkg.version ?? '0.0.0';
    }
  }
  return '0.0.0';
}
