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

/** A loaded model as the detection pipeline takes it. */
export interface LoadedModel {
  /** The model's name (metadata) and folder, for logs and metrics. */
  readonly name: string;
  readonly scorer: WindowScorerLike;
  readonly options: ModelOptions;
}

/**
 * The model edge: loads the LSTM autoencoder (ONNX engine, the fast one) named by VIGIL_MODEL_DIR and
 * its calibrated thresholds. VIGIL_MODEL_DIR=none runs the clinical rules only, and says so.
 * VIGIL_SHADOW_MODEL_DIR, when set, loads a second model the same way: the shadow, scored beside
 * the live one so its alert rates can be compared before it is promoted.
 */
@Injectable()
export class ModelProvider implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelProvider.name);
  private readonly engines: WindowScorer[] = [];
  scorer: WindowScorerLike | null = null;
  options: ModelOptions | undefined;
  /** The shadow model, or null when VIGIL_SHADOW_MODEL_DIR is unset. */
  shadow: LoadedModel | null = null;

  constructor(@Inject(CONFIG) private readonly config: Settings) {}

  async onModuleInit(): Promise<void> {
    if (this.config.modelDir === 'none') {
      this.logger.warn('VIGIL_MODEL_DIR=none: scoring with the NEWS2 rules only');
    } else {
      const live = await this.load(this.config.modelDir, SETTINGS.modelDir.env, 'model');
      this.scorer = live.scorer;
      this.options = live.options;
    }
    const shadowDir = this.config.shadowModelDir;
    if (shadowDir !== undefined) {
      this.shadow = await this.load(shadowDir, SETTINGS.shadowModelDir.env, 'shadow model');
      this.logger.log(`shadow model ${this.shadow.name}: its would-be alerts go to alerts.shadow only`);
    }
  }

  private async load(dirSetting: string, env: string, role: string): Promise<LoadedModel> {
    const dir = isAbsolute(dirSetting) ? dirSetting : join(repoRoot(), dirSetting);
    if (!existsSync(join(dir, METADATA_FILE))) {
      throw new ConfigError([
        {
          env,
          value: dirSetting,
          problem: `no model here (${join(dir, METADATA_FILE)} missing)${
            env === SETTINGS.modelDir.env ? '; use none to run without one' : ''
          }`,
        },
      ]);
    }
    const engine = await loadOnnxScorer(dir);
    this.engines.push(engine);
    const { windowSize, features } = engine.metadata.config;
    if (windowSize !== this.config.windowSeconds) {
      throw new ConfigError([
        {
          env: SETTINGS.windowSeconds.env,
          value: String(this.config.windowSeconds),
          problem: `must equal the window of the ${role} in ${dirSetting} (${windowSize} samples at 1 Hz)`,
        },
      ]);
    }
    const options = modelOptionsFrom(engine.metadata);
    this.logger.log(
      `${role} ${engine.metadata.name} (T=${windowSize}, ${features.join('/')}) on ${engine.description}; ` +
        `abnormal at reconstruction error ${options.alertError.toPrecision(3)} (calibrated), ` +
        `${options.residualInput ? 'residual' : 'raw'} input`,
    );
    return {
      name: `${engine.metadata.name} (${dirSetting})`,
      scorer: new FeatureSelectingScorer(engine),
      options,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    for (const engine of this.engines.splice(0)) await engine.dispose();
  }
}
