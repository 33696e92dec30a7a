/**
 * Jest runs TypeScript through ts-jest without type checks; `npm test` runs `tsc` first for those.
 *
 * Two projects: `unit` (pure code, no network: `npm run test:unit` for a fast loop) and `integration`
 * (everything else: dynalite, the local state machine runner, the stand-ins, CDK synth, browsers).
 * A test file belongs to `unit` when its path matches UNIT below; every other test file is `integration`,
 * so `npm test` runs each file exactly once.
 */

/** Test files of the `unit` project: paths under test/ without `.test.ts` (regular expressions). */
const UNIT = [
  'domain/.*',
  'config/.*',
  'slack/blocks/.*',
  'slack/(answers|command-text|verify|manifest)',
  'ontap/(names|retry|answers|timestamps)',
  // The lifecycle's use cases on in-memory fakes of their ports (test/support/fakes.ts).
  'lifecycle/(validate|await-approval|reauthorize|grant|await-end|revoke|record-outcome|reconcile|repair|notify|decide|submit)',
  'runtime/(once|logger)',
  'hardening/config-yaml',
  'local/sandbox/(block-kit|panels|payloads|signature|state-values)',
  'local/sandbox/ui/.*',
];
const unitTests = `/test/(?:${UNIT.join('|')})\\.test\\.ts$`;

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testRegex: unitTests,
      // The unit project refuses network I/O, so a test that needs a server is moved to `integration`.
      setupFiles: ['<rootDir>/test/setup-env.ts', '<rootDir>/test/setup-unit.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', unitTests],
      setupFiles: ['<rootDir>/test/setup-env.ts'],
    },
  ],
  // Jest's default on this 2-core machine is one worker (cores - 1); most integration time is spent
  // waiting on the scaled clock, not on the CPU, so three workers overlap those waits.
  maxWorkers: 3,
  // A worker that grew past this after a suite (dynalite, CDK synth) is restarted instead of reused.
  workerIdleMemoryLimit: '1GB',
  testTimeout: 60000,
};
