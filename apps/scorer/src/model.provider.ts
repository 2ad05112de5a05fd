import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { type ModelOptions, type WindowScorerLike } from '@vigil/detection';
import { CONFIG } from '@vigil/infra';

/**
 * The model edge: loads the LSTM autoencoder the scorer runs (ONNX engine) and the thresholds from
 * its metadata. Without a model the scorer runs the clinical rules only, and says so.
 */
@Injectable()
export class ModelProvider implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelProvider.name);
  scorer: WindowScorerLike | null = null;
  options: ModelOptions | undefined;

  constructor(@Inject(CONFIG) private readonly config: Settings) {}

  onModuleInit(): Promise<void> {
    this.logger.warn(`no model engine wired yet; scoring with NEWS2 rules only (VIGIL_MODEL_DIR=${this.config.modelDir})`);
    return Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    this.scorer = null;
    return Promise.resolve();
  }
}
