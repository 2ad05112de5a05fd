import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig, type Settings } from '@vigil/config';
import { type DetectionOptions, detectionOptionsFrom, type WindowScorerLike } from '@vigil/detection';
import { type Reconstructor } from '@vigil/evaluation';
import { recordSimulation } from '@vigil/simulator';
import { Output, table } from '../output';
import { positiveInteger, positiveNumber } from '../option-parsers';
import { progressBar } from '../progress-bar';
import { evaluateMimic, type MimicEvaluation } from './evaluate/mimic-evaluation';
import { LstmAutoencoderNabDetector } from './evaluate/nab-lstm.detector';
import { evaluateNab, type NabEvaluation } from './evaluate/nab-evaluation';
import { evaluateRecording, type RecordingEvaluation } from './evaluate/recording-evaluation';
import { renderMimic, renderNab, renderRecording } from './evaluate/render';

interface EvaluateOptions {
  recording?: string;
  simulate?: boolean;
  seed: number;
  patients: number;
  hours: number;
  model?: string;
  grace: number;
  nab?: string | boolean;
  mimic?: string | boolean;
  mimicResample: 'hold' | 'linear';
  nabLstm?: boolean;
  out?: string;
  alertsOut?: string;
  json?: boolean;
}

const DATASETS = '../shared/datasets';
/** A fixed start, so the same seed gives the same test set on any day. */
const SIMULATION_START = Date.UTC(2026, 0, 5);

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(
      'Measure detection: replay a labelled recording through the scorer’s window → score → alert-policy code (LSTM-AE vs NEWS2 and z-score baselines); NAB score; MIMIC-II false alerts',
    )
    .option(
      '--recording <dir>',
      'a labelled recording (samples.csv + labels.json, docs/recording-format.md: `vigil simulate --out` or a hospital export)',
    )
    .option('--simulate', 'simulate a fresh labelled test set (the default when no data option is given)')
    .option(
      '--seed <n>',
      'seed of the simulated test set (keep it apart from the training seed)',
      positiveInteger,
      4242,
    )
    .option('--patients <n>', 'patients in the simulated test set', positiveInteger, 12)
    .option('--hours <h>', 'hours per patient in the simulated test set', positiveNumber, 24)
    .option('--model <dir>', 'model folder (default VIGIL_MODEL_DIR, as the scorer; none: no model)')
    .option(
      '--grace <minutes>',
      'an alert up to this long after an episode ends still detects it',
      positiveNumber,
      5,
    )
    .option('--nab [dir]', `score on the NAB corpus (default ${DATASETS}/nab)`)
    .option(
      '--nab-lstm',
      'with --nab (implied): also train and run a univariate LSTM autoencoder per NAB series (minutes of CPU)',
    )
    .option('--mimic [dir]', `false alerts on MIMIC-II numerics (default ${DATASETS}/mimic2-numerics)`)
    .addOption(
      new Option(
        '--mimic-resample <how>',
        'MIMIC-II 1/60 Hz numerics to 1 Hz: step linearly between minutes, or repeat each minute (a held value reads as a stuck sensor)',
      )
        .choices(['hold', 'linear'])
        .default('linear'),
    )
    .option('--out <dir>', 'write pictures (SVG) and the simulated test set here')
    .option(
      '--alerts-out <file>',
      'write every alert raised on the recording as JSONL (patient, device, ts_ms, kind, severity, evidence, reason)',
    )
    .option('--json', 'print one JSON object as the last line')
    .action((options: EvaluateOptions) => evaluate(options));
}

async function evaluate(options: EvaluateOptions): Promise<void> {
  const out = new Output(options);
  if (options.nabLstm && options.nab === undefined) options.nab = true;
  const wantsRecording =
    options.recording !== undefined ||
    options.simulate === true ||
    (options.nab === undefined && options.mimic === undefined);
  if (options.out) await mkdir(options.out, { recursive: true });

  const config = loadConfig();
  const modelDir = options.model ?? config.modelDir;
  const { detection, scorer, reconstructor, modelNote, dispose } = await loadDetection(modelDir, config, out);
  const result: {
    model: string | null;
    detection: DetectionOptions;
    recording?: RecordingEvaluation;
    nab?: NabEvaluation;
    mimic?: MimicEvaluation;
  } = {
    model: modelNote === null ? resolve(modelDir) : null,
    detection,
  };
  const text: string[] = [];
  try {
    if (wantsRecording) {
      let dir = options.recording;
      let temp: string | null = null;
      if (!dir) {
        dir = options.out
          ? join(options.out, `test-set-seed-${options.seed}`)
          : (temp = await mkdtemp(join(tmpdir(), 'vigil-evaluate-')));
        await simulate(dir, options, out);
      }
      try {
        result.recording = await evaluateRecording(
          dir,
          detection,
          scorer,
          modelNote,
          options.grace * 60_000,
          options.out ?? null,
          (l) => out.info(l),
          progressBar,
          reconstructor,
          options.alertsOut ?? null,
        );
        text.push(renderRecording(result.recording, table));
      } finally {
        if (temp) await rm(temp, { recursive: true, force: true });
      }
    }
    if (options.nab !== undefined) {
      const dir = typeof options.nab === 'string' ? options.nab : join(DATASETS, 'nab');
      out.info(`Scoring the NAB corpus in ${dir}…`);
      result.nab = await evaluateNab(
        dir,
        progressBar,
        options.nabLstm ? [new LstmAutoencoderNabDetector()] : [],
      );
      text.push(renderNab(result.nab, table));
    }
    if (options.mimic !== undefined) {
      const dir = typeof options.mimic === 'string' ? options.mimic : join(DATASETS, 'mimic2-numerics');
      out.info(`Replaying MIMIC-II numerics in ${dir}…`);
      result.mimic = await evaluateMimic(dir, detection, scorer, options.mimicResample);
      text.push(renderMimic(result.mimic, table));
    }
  } finally {
    await dispose();
  }
  out.result(result, () => text.join('\n\n'));
}

async function simulate(dir: string, options: EvaluateOptions, out: Output): Promise<void> {
  const durationMs = Math.round(options.hours * 3600_000);
  out.info(
    `Simulating a test set: ${options.patients} patients × ${options.hours} h, seed ${options.seed} → ${dir}`,
  );
  const bar = progressBar('simulate', 's', Math.ceil(durationMs / 1000));
  await recordSimulation(
    {
      seed: options.seed,
      patients: options.patients,
      startMs: SIMULATION_START,
      rateHz: 1,
      episodes: 'default',
    },
    durationMs,
    dir,
    (doneMs) => bar.update(Math.floor(doneMs / 1000), { status: `${options.patients} patients` }),
  );
  bar.stop();
}

/** With the model when its folder loads; without, NEWS2 and the z-score baseline only. */
export async function loadDetection(
  dir: string,
  config: Settings,
  out: Output,
): Promise<{
  detection: DetectionOptions;
  scorer: WindowScorerLike | null;
  reconstructor: Reconstructor | null;
  modelNote: string | null;
  dispose: () => Promise<void>;
}> {
  if (dir === 'none' || !existsSync(join(dir, 'metadata.json'))) {
    const note =
      dir === 'none' ? 'model disabled (none)' : `no model at ${dir} (run \`vigil train\`, or pass --model)`;
    out.info(`LSTM-AE not evaluated: ${note}`);
    return {
      detection: detectionOptionsFrom(config, undefined),
      scorer: null,
      reconstructor: null,
      modelNote: note,
      dispose: () => Promise.resolve(),
    };
  }
  // Loaded on demand: onnxruntime's native binding is only needed by the commands that score.
  const { FeatureSelectingScorer, loadOnnxScorer, modelOptionsFrom, prepareWindows } =
    await import('@vigil/model');
  const engine = await loadOnnxScorer(dir);
  const meta = engine.metadata;
  if (meta.config.windowSize !== config.windowSeconds || meta.rateHz !== 1) {
    await engine.dispose();
    throw new Error(
      `model ${dir} has T=${meta.config.windowSize} at ${meta.rateHz} Hz; the scorer runs ${config.windowSeconds}-sample windows at 1 Hz (VIGIL_WINDOW_SECONDS)`,
    );
  }
  const detection = detectionOptionsFrom(config, modelOptionsFrom(meta));
  out.info(
    `Model ${dir}: ${meta.name}, T=${meta.config.windowSize}, features ${meta.config.features.join(',')}, engine ${engine.description}; ` +
      `abnormal at reconstruction error ${detection.model?.alertError.toPrecision(3)} (calibrated), ${detection.model?.residualInput ? 'residual' : 'raw'} input`,
  );
  const { mean, std } = meta.normalisation;
  const T = meta.config.windowSize;
  const F = meta.config.features.length;
  const reconstructor: Reconstructor = {
    features: meta.config.features,
    reconstruct: async (raw: Float32Array, count: number) => {
      const prepared = prepareWindows(raw, count, T, meta.normalisation);
      const reconstruction = await engine.reconstruct(prepared, count);
      const input = new Float32Array(count * T * F);
      for (let r = 0; r < count * T; r++) {
        for (let f = 0; f < F; f++) {
          input[r * F + f] = prepared[r * 2 * F + f] * std[f] + mean[f];
          reconstruction[r * F + f] = reconstruction[r * F + f] * std[f] + mean[f];
        }
      }
      return { input, reconstruction };
    },
  };
  return {
    detection,
    scorer: new FeatureSelectingScorer(engine),
    reconstructor,
    modelNote: null,
    dispose: () => engine.dispose(),
  };
}
