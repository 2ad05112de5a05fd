export * from './sample-validation';
export * from './fhir-observation';
export * from './decode-telemetry';
export * from './records';
export * from './random';
export * from './telemetry-fuzz';
