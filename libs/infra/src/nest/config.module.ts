import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig, type Settings } from '@vigil/config';
import { TracingLifecycle } from '../tracing/tracing.lifecycle';

/** DI token of the validated settings (`@Inject(CONFIG) config: Settings`). */
export const CONFIG = Symbol('vigil.config');

/**
 * Provides the settings to every module. Apps load them from the environment at boot (so a bad
 * variable stops start-up); tests pass their own (unique topic prefix, ports). Also flushes the
 * process's spans on shutdown (tracing is started by bootstrapApp).
 */
@Global()
@Module({})
export class VigilConfigModule {
  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: VigilConfigModule,
      providers: [{ provide: CONFIG, useFactory: () => settings ?? loadConfig() }, TracingLifecycle],
      exports: [CONFIG],
    };
  }
}
