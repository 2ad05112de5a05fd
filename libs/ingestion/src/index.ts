export * from './sample-validation';
export * from './fhir-observation';
export * from './decode-telemetry';
export * from './records';
export * from './telemetry-fuzz';
export * from './rate-limit';
export * from './refused-payloads';
