export * from './alert-lifecycle';
export * from './auth';
