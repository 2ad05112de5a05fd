import { type DynamicModule, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import {
  CONFIG,
  ConsumerLagIndicator,
  HEALTH_INDICATORS,
  HealthController,
  KafkaConnection,
  MetricsController,
  VigilConfigModule,
} from '@vigil/infra';
import { ModelProvider } from './model.provider';
import { SamplesConsumer } from './samples.consumer';
import { SCORER_GROUP } from './scorer.constants';
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
        ModelProvider,
        ScoringService,
        SamplesConsumer,
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
          useFactory: (k: KafkaConnection, c: SamplesConsumer, lag: ConsumerLagIndicator) => [k, c, lag],
          inject: [KafkaConnection, SamplesConsumer, ConsumerLagIndicator],
        },
      ],
    };
  }
}
