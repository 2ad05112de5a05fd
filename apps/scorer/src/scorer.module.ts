import { type DynamicModule, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import {
  CONFIG,
  ConsumerLagIndicator,
  HEALTH_INDICATORS,
  HealthController,
  KafkaConnection,
  RedisConnection,
  SecuredMetricsController,
  VigilConfigModule,
} from '@vigil/infra';
import { BaselineCheckpoints } from './baseline.checkpoints';
import { ModelProvider } from './model.provider';
import { PatientLimitsProjection } from './patient-limits.projection';
import { SamplesConsumer } from './samples.consumer';
import { SCORER_GROUP } from './scorer.constants';
import { ScoringService } from './scoring.service';

@Module({})
export class ScorerModule {
  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: ScorerModule,
      imports: [VigilConfigModule.forRoot(settings)],
      controllers: [HealthController, SecuredMetricsController],
      providers: [
        KafkaConnection,
        RedisConnection,
        BaselineCheckpoints,
        ModelProvider,
        ScoringService,
        SamplesConsumer,
        PatientLimitsProjection,
        {
          provide: ConsumerLagIndicator,
          useFactory: (k: KafkaConnection, config: Settings) =>
            new ConsumerLagIndicator(
              k,
              SCORER_GROUP,
              TOPICS.samples,
              config.healthMaxConsumerLag,
              config.healthCheckTimeoutMs,
            ),
          inject: [KafkaConnection, CONFIG],
        },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (
            k: KafkaConnection,
            c: SamplesConsumer,
            lag: ConsumerLagIndicator,
            l: PatientLimitsProjection,
          ) => [k, c, lag, l],
          inject: [KafkaConnection, SamplesConsumer, ConsumerLagIndicator, PatientLimitsProjection],
        },
      ],
    };
  }
}
