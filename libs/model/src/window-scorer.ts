import { type ModelMetadata } from './model-metadata';
import { type WindowScores } from './window-prep';

export type ScoringEngine = 'onnx' | 'tfjs';

/**
 * What the scorer app calls, whichever engine runs the network. `windows` holds `count` raw
 * windows, B×T×F vitals in `metadata.config.features` order at `metadata.rateHz`, NaN = missing.
 */
export interface WindowScorer {
  readonly metadata: ModelMetadata;
  readonly engine: ScoringEngine;
  /** e.g. "onnxruntime-node 1.30.0 (cpu, 1 thread)" or "tfjs 4.22.0 (wasm)". */
  readonly description: string;
  score(windows: Float32Array, count: number): Promise<WindowScores>;
  dispose(): Promise<void>;
}
