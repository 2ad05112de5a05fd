import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import {
  AuthModule,
  HEALTH_INDICATORS,
  HealthController,
  KafkaConnection,
  RedisConnection,
  SecuredMetricsController,
  VigilConfigModule,
} from '@vigil/infra';
import { AlertService } from './alert.service';
import { AlertStore } from './alert.store';
import { AlertsConsumer } from './alerts.consumer';
import { AlertsController } from './alerts.controller';
import { AlertsRuntime } from './alerts.runtime';
import { CareTeamsProjection } from './care-teams.projection';
import { ClinicianGateway } from './clinician.gateway';
import { DashboardController } from './dashboard.controller';
import { EventFeed } from './event-feed';
import { NoDataWatcher } from './no-data.watcher';
import { PatientHistory } from './patient-history';
import { SilenceStore } from './silence.store';
import { PatientLimitsController } from './patient-limits.controller';
import { FhirController } from './fhir.controller';
import { VigilWsAdapter } from './vigil-ws.adapter';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookSender } from './webhook.sender';

@Module({})
export class AlertsModule {
  /** The clinicians' WebSocket runs on VigilWsAdapter (bootstrapApp and the test harness call this). */
  static configureApp(app: INestApplication): void {
    VigilWsAdapter.use(app);
  }

  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: AlertsModule,
      imports: [VigilConfigModule.forRoot(settings), AuthModule],
      controllers: [
        HealthController,
        SecuredMetricsController,
        AlertsController,
        PatientLimitsController,
        DashboardController,
        FhirController,
      ],
      providers: [
        KafkaConnection,
        RedisConnection,
        AlertStore,
        SilenceStore,
        PatientHistory,
        NoDataWatcher,
        CareTeamsProjection,
        EventFeed,
        ClinicianGateway,
        AlertService,
        AlertsConsumer,
        AlertsRuntime,
        WebhookSender,
        WebhookDispatcher,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (
            k: KafkaConnection,
            r: RedisConnection,
            c: AlertsConsumer,
            t: CareTeamsProjection,
            w: WebhookDispatcher,
          ) => [k, r, c, t, w],
          inject: [KafkaConnection, RedisConnection, AlertsConsumer, CareTeamsProjection, WebhookDispatcher],
        },
      ],
    };
  }
}
