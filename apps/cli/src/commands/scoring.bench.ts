import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '@vigil/config';
import { loadOnnxScorer, loadTfjsScorer, type TfBackend, type WindowScorer } from '@vigil/model';
import { Random } from '@vigil/simulator';
import { Output, table } from '../output';
import { positiveInteger } from '../option-parsers';
import { progressBar } from '../progress-bar';

interface ScoringBenchOptions {
  model?: string;
  batches: number[];
  seconds: number;
  threads: number;
  engines: ('onnx' | 'tfjs')[];
  backend?: TfBackend;
  json?: boolean;
}

interface Cell {
  engine: string;
  batch: number;
  windowsPerSecond: number;
  msPerCall: number;
  calls: number;
}

const list =
  <T>(parse: (s: string) => T) =>
  (raw: string) =>
    raw.split(',').map((s) => parse(s.trim()));
const engine = (s: string) => {
  if (s !== 'onnx' && s !== 'tfjs') throw new InvalidArgumentError(`unknown engine ${s} (onnx, tfjs)`);
  return s;
};

export function registerScoringBench(bench: Command): void {
  bench
    .command('scoring')
    .description(
      'Windows scored per second by the ONNX engine and the TF.js reference, side by side, at several batch sizes',
    )
    .option('--model <dir>', 'model folder (default VIGIL_MODEL_DIR)')
    .option('--batches <list>', 'batch sizes', list(positiveInteger), [1, 32, 256, 1024])
    .option('--seconds <s>', 'time spent measuring each cell', Number, 2)
    .option('--threads <n>', 'onnxruntime intra-op threads (1 = the per-core figure)', positiveInteger, 1)
    .option('--engines <list>', 'engines to run', list(engine), ['onnx', 'tfjs'])
    .addOption(
      new Option('--backend <name>', 'TF.js backend (default: best available)').choices([
        'tensorflow',
        'wasm',
        'cpu',
      ]),
    )
    .option('--json', 'print one JSON object as the last line')
    .action((options: ScoringBenchOptions) => run(options));
}

async function run(options: ScoringBenchOptions): Promise<void> {
  const out = new Output(options);
  const dir = options.model ?? loadConfig().modelDir;
  const scorers: WindowScorer[] = [];
  for (const e of options.engines)
    scorers.push(
      e === 'onnx'
        ? await loadOnnxScorer(dir, { threads: options.threads })
        : await loadTfjsScorer(dir, { backend: options.backend }),
    );
  const { config, normalisation } = scorers[0].metadata;
  const T = config.windowSize;
  const F = config.features.length;
  out.info(
    `Model ${dir}: T=${T}, F=${F}, LSTM ${config.units}; engines: ${scorers.map((s) => s.description).join(' | ')}`,
  );

  // Plausible windows: around the training mean, about one value in ten missing.
  const maxBatch = Math.max(...options.batches);
  const rng = new Random(1);
  const windows = new Float32Array(maxBatch * T * F);
  for (let i = 0; i < windows.length; i++)
    windows[i] = rng.chance(0.1) ? NaN : rng.normal(normalisation.mean[i % F], normalisation.std[i % F]);

  const cells: Cell[] = [];
  const bar = progressBar('bench scoring', 'cells', scorers.length * options.batches.length);
  try {
    for (const batch of options.batches)
      for (const scorer of scorers) {
        bar.update({ status: `${scorer.engine} batch ${batch}` });
        const input = windows.subarray(0, batch * T * F);
        await scorer.score(input, batch); // warm-up: first call allocates and compiles
        let calls = 0;
        const t0 = performance.now();
        let elapsed = 0;
        while (elapsed < options.seconds * 1000 || calls < 3) {
          await scorer.score(input, batch);
          calls++;
          elapsed = performance.now() - t0;
        }
        cells.push({
          engine: scorer.description,
          batch,
          windowsPerSecond: Math.round((calls * batch * 1000) / elapsed),
          msPerCall: Math.round((elapsed / calls) * 1000) / 1000,
          calls,
        });
        bar.increment();
      }
  } finally {
    bar.stop();
    for (const s of scorers) await s.dispose();
  }

  const engines = scorers.map((s) => s.description);
  const rows = options.batches.map((batch) => {
    const perEngine = engines.map((e) => cells.find((c) => c.engine === e && c.batch === batch)!);
    const ratio =
      perEngine.length === 2
        ? `${(perEngine[0].windowsPerSecond / perEngine[1].windowsPerSecond).toFixed(1)}×`
        : '';
    return [
      batch,
      ...perEngine.map((c) => `${c.windowsPerSecond} (${c.msPerCall} ms)`),
      ...(ratio ? [ratio] : []),
    ];
  });
  const short = (s: WindowScorer) =>
    s.engine === 'onnx'
      ? `onnx, ${options.threads} thread${options.threads > 1 ? 's' : ''}`
      : s.description.replace(/^tfjs [^ ]+ /, 'tfjs ');
  out.result(
    { model: dir, windowSize: T, features: F, units: config.units, threads: options.threads, cells },
    () =>
      '\n' +
      table(rows, [
        'batch',
        ...scorers.map((s) => `${short(s)}: windows/s (ms/call)`),
        ...(engines.length === 2 ? ['onnx/tfjs'] : []),
      ]),
  );
}
