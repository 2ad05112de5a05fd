import 'reflect-metadata';
import { bootstrapApp } from '@vigil/infra';
import { AlertsModule } from './alerts.module';

void bootstrapApp({
  name: 'alerts',
  module: (s) => AlertsModule.forRoot(s),
  port: (s) => s.alertsPort,
  requires: ['jwtSecret'],
});
