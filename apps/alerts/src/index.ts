export { AlertsModule } from './alerts.module';
export { AlertStore } from './alert.store';
