export * from './alert-lifecycle';
export * from './auth';
export * from './origin-policy';
export * from './alert-rebuild';
