import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { type ModelMetadata } from './model-metadata';
import { readMetadata } from './model-store';
import { ONNX_INPUT, ONNX_OUTPUT } from './onnx-export';
import { scoreWindows, type WindowScores } from './window-prep';
import { type WindowScorer } from './window-scorer';

export interface OnnxScorerOptions {
  /** Intra-op threads (default 1: one scorer per core, scale with instances). */
  readonly threads?: number;
  /**
   * Most windows per onnxruntime call (default 64): its LSTM runs fastest per window at batches
   * of 32-64 on one core, so larger batches are split rather than passed whole.
   */
  readonly chunk?: number;
}

/** The fast engine: the same network exported to ONNX, run by onnxruntime-node on the CPU. */
export class OnnxScorer implements WindowScorer {
  readonly engine = 'onnx' as const;
  readonly description: string;

  constructor(
    readonly metadata: ModelMetadata,
    private readonly session: ort.InferenceSession,
    threads: number,
    private readonly chunk: number,
  ) {
    this.description = `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`;
  }

  /** Reconstructions of prepared input (B×T×2F), run in chunks of `chunk` windows. */
  async reconstruct(input: Float32Array, count: number): Promise<Float32Array> {
    const { windowSize: T, features } = this.metadata.config;
    const F = features.length;
    const out = new Float32Array(count * T * F);
    for (let from = 0; from < count; from += this.chunk) {
      const n = Math.min(this.chunk, count - from);
      const x = input.subarray(from * T * 2 * F, (from + n) * T * 2 * F);
      const result = await this.session.run({
        [ONNX_INPUT]: new ort.Tensor('float32', n === count ? input : x.slice(), [n, T, 2 * F]),
      });
      out.set(result[ONNX_OUTPUT].data as Float32Array, from * T * F);
    }
    return out;
  }

  score(windows: Float32Array, count: number): Promise<WindowScores> {
    return scoreWindows(this.metadata, windows, count, (input, n) => this.reconstruct(input, n));
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

export async function loadOnnxScorer(dir: string, options: OnnxScorerOptions = {}): Promise<OnnxScorer> {
  const threads = options.threads ?? 1;
  const metadata = await readMetadata(dir);
  const session = await ort.InferenceSession.create(join(dir, metadata.files.onnx), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  return new OnnxScorer(metadata, session, threads, Math.max(1, options.chunk ?? 64));
}
