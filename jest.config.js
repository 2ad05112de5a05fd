// Four tiers, one runner: `npm test` runs them all (after the stack is up); each tier has its own
// script too. Unit specs sit next to the code and do no I/O; integration and e2e specs under test/
// talk to the real Kafka, Redis and Mosquitto.
const { pathsToModuleNameMapper } = require('./test/support/paths');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  // Node, sharing the process's typed-array constructors: onnxruntime's native side checks them.
  testEnvironment: '<rootDir>/test/support/native-arrays.environment.js',
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    // `npm run test:faults`: kills and flushes services, so it brings up a private stack of its own;
    // about 10 minutes, so `npm test` leaves it out (--selectProjects).
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'] },
    {
      // The dashboard in Debian's Chromium (playwright-core) against the real gateway and stack.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
