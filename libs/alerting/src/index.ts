export * from './alert-lifecycle';
export * from './auth';
export * from './origin-policy';
export * from './alert-rebuild';
export * from './escalation-chain';
export * from './fhir-resources';
export * from './webhook';
export * from './silence';
