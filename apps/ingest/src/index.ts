// What other packages (the CLI, tests, `vigil up`) may use of the ingest app, via @vigil/ingest.
export * from './ingest.module';
export * from './ingest.service';
export * from './serve-openapi';
export * from './mqtt/mqtt.subscriber';
export * from './kafka/record.writer';
export * from './mqtt/expire-sessions';
export * from './mqtt/mqtt-tls';
export * from './mqtt/mqtt.session';
