/**
 * Global setup of the `postgres` test project: one PostgreSQL cluster for
 * the whole run, in which every test instance gets a database of its own
 * (database.ts). TEST_POSTGRES_URL names a cluster to use instead (CI
 * starts one in .ci/run); otherwise a throwaway one is started from the
 * machine's binaries and stopped at the end.
 *
 * Without PostgreSQL the project fails rather than skips, so that a run
 * cannot pass having tested one engine only.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../../scripts/postgres-cluster.ts';

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  // A process.env set here does not reliably reach the forked workers;
  // provide/inject does.
  const given = process.env.TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return undefined;
  }

  let cluster;
  try {
    cluster = await startThrowawayPostgres({ fast: true });
  } catch (error) {
    throw new Error(
      'The postgres test project needs PostgreSQL, and could not start ' +
        `it: ${(error as Error).message}\n` +
        'Install it (apt-get install postgresql), or set TEST_POSTGRES_URL ' +
        "to a cluster's superuser URL, or test SQLite only with " +
        'CALLVAULT_TEST_ENGINES=sqlite npm test.',
    );
  }
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
