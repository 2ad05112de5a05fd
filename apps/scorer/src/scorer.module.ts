import { type DynamicModule, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import {
  HEALTH_INDICATORS,
  HealthController,
  KafkaConnection,
  MetricsController,
  RedisConnection,
  VigilConfigModule,
} from '@vigil/infra';
import { BaselineCheckpoints } from './baseline.checkpoints';
import { ModelProvider } from './model.provider';
import { PatientLimitsProjection } from './patient-limits.projection';
import { SamplesConsumer } from './samples.consumer';
import { ScoringService } from './scoring.service';

@Module({})
export class ScorerModule {
  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: ScorerModule,
      imports: [VigilConfigModule.forRoot(settings)],
      controllers: [HealthController, MetricsController],
      providers: [
        KafkaConnection,
        RedisConnection,
        BaselineCheckpoints,
        ModelProvider,
        ScoringService,
        SamplesConsumer,
        PatientLimitsProjection,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (k: KafkaConnection, c: SamplesConsumer, l: PatientLimitsProjection) => [k, c, l],
          inject: [KafkaConnection, SamplesConsumer, PatientLimitsProjection],
        },
      ],
    };
  }
}
