import { defineConfig } from 'vitest/config';

/**
 * Every test file runs twice, once per database engine: the `sqlite` and
 * `postgres` projects. `CALLVAULT_TEST_ENGINES=sqlite` (or `--project
 * sqlite`) runs one engine only, for a quick loop while developing.
 */
const ENGINES = ['sqlite', 'postgres'] as const;
type Engine = (typeof ENGINES)[number];

function chosenEngines(): Engine[] {
  const value = process.env.CALLVAULT_TEST_ENGINES;
  if (!value) return [...ENGINES];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(ENGINES as readonly string[]).includes(name)) {
      throw new Error(
        `CALLVAULT_TEST_ENGINES must list sqlite and/or postgres, got ${value}`,
      );
    }
  }
  return names as Engine[];
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each file starts its own Callvault, SMTP listener and database; two
    // cores run two files at a time comfortably. Both projects share the
    // same pool of two workers (same maxWorkers and sequence.groupOrder),
    // so running both engines takes about the sum of their times.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: chosenEngines().map((engine) => ({
      extends: true,
      test: {
        name: engine,
        provide: { engine },
        // A throwaway cluster (or TEST_POSTGRES_URL's) for the whole run.
        globalSetup:
          engine === 'postgres' ? ['test/support/postgres-setup.ts'] : [],
      },
    })),
  },
});
