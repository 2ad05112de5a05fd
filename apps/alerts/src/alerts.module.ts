import { type DynamicModule, Module } from '@nestjs/common';
import { type Settings } from '@vigil/config';
import {
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
import { NoDataWatcher } from './no-data.watcher';
import { PatientHistory } from './patient-history';
import { SilenceStore } from './silence.store';
import { PatientLimitsController } from './patient-limits.controller';

@Module({})
export class AlertsModule {
  static forRoot(settings?: Settings): DynamicModule {
    return {
      module: AlertsModule,
      imports: [VigilConfigModule.forRoot(settings)],
      controllers: [
        HealthController,
        SecuredMetricsController,
        AlertsController,
        PatientLimitsController,
        DashboardController,
      ],
      providers: [
        KafkaConnection,
        RedisConnection,
        AlertStore,
        SilenceStore,
        PatientHistory,
        NoDataWatcher,
        CareTeamsProjection,
        ClinicianGateway,
        AlertService,
        AlertsConsumer,
        AlertsRuntime,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (k: KafkaConnection, r: RedisConnection, c: AlertsConsumer, t: CareTeamsProjection) => [
            k,
            r,
            c,
            t,
          ],
          inject: [KafkaConnection, RedisConnection, AlertsConsumer, CareTeamsProjection],
        },
      ],
    };
  }
}
