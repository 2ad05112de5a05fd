export * from './registry.model';
export * from './mosquitto-auth';
export * from './registry.store';
export * from './registry.connection';
export * from './broker-tuning';
export * from './broker-files';
