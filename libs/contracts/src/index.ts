export * from './vitals';
export * from './telemetry';
export * from './vital-sample';
export * from './dead-letter';
export * from './alert-event';
export * from './window-score';
export * from './topics';
