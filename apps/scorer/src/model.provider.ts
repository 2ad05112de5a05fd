import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigError, SETTINGS, type Settings } from '@vigil/config';
import { type ModelOptions, type WindowScorerLike } from '@vigil/detection';
import { CONFIG, repoRoot } from '@vigil/infra';
import {
  FeatureSelectingScorer,
  loadOnnxScorer,
  METADATA_FILE,
  modelOptionsFrom,
  type WindowScorer,
} from '@vigil/model';

/**
 * The model edge: loads the LSTM autoencoder (ONNX engine, the fast one) named by VIGIL_MODEL_DIR and
 * its calibrated thresholds. VIGIL_MODEL_DIR=none runs the clinical rules only, and says so.
 */
@Injectable()
export class ModelProvider implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelProvider.name);
  private engine: WindowScorer | null = null;
  scorer: WindowScorerLike | null = null;
  options: ModelOptions | undefined;

  constructor(@Inject(CONFIG) private readonly config: Settings) {}

  async onModuleInit(): Promise<void> {
    if (this.config.modelDir === 'none') {
      this.logger.warn('VIGIL_MODEL_DIR=none: scoring with the NEWS2 rules only');
      return;
    }
    const dir = isAbsolute(this.config.modelDir)
      ? this.config.modelDir
      : join(repoRoot(), this.config.modelDir);
    if (!existsSync(join(dir, METADATA_FILE))) {
      throw new ConfigError([
        {
          env: SETTINGS.modelDir.env,
          value: this.config.modelDir,
          problem: `no model here (${join(dir, METADATA_FILE)} missing); use none to run without one`,
        },
      ]);
    }
    this.engine = await loadOnnxScorer(dir);
    const { windowSize, features } = this.engine.metadata.config;
    if (windowSize !== this.config.windowSeconds) {
      throw new ConfigError([
        {
          env: SETTINGS.windowSeconds.env,
          value: String(this.config.windowSeconds),
          problem: `must equal the model's window (${windowSize} samples at 1 Hz)`,
        },
      ]);
    }
    this.scorer = new FeatureSelectingScorer(this.engine);
    this.options = modelOptionsFrom(this.engine.metadata);
    this.logger.log(
      `model ${this.engine.metadata.name} (T=${windowSize}, ${features.join('/')}) on ${this.engine.description}; ` +
        `abnormal at reconstruction error ${this.options.alertError.toPrecision(3)} (calibrated), ` +
        `${this.options.residualInput ? 'residual' : 'raw'} input`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine?.dispose();
  }
}
