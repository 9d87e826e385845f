/**
 * Findings of a third break-it pass, over PostgreSQL and several
 * instances. Each test states the safe behaviour and fails while the
 * finding stands.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, engine } from '../support/database.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { PASSWORD } from '../support/journey.ts';

// Only PostgreSQL runs transactions side by side, so only it refuses a
// run that collided with another (SQLite has one writer).
describe.runIf(engine === 'postgres')('an administrator\'s change to a user ' +
  'that keeps colliding with others', () => {
  let cv: TestInstance;
  let database: pg.Client;

  beforeAll(async () => {
    cv = await startInstance();
    database = new pg.Client({ connectionString: await databaseUrl(cv.dir) });
    await database.connect();
  });

  afterAll(async () => {
    await database?.end();
    await cv?.stop();
  });

  it('is answered 503 with Retry-After, never 500, when it cannot win', async () => {
    const admin = await cv.admin();
    const created = await admin.post('/api/users', {
      email: 'contended@breaker3.test',
      firstName: 'Contended',
      lastName: 'User',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    // Another writer (another instance's requests, say) changes the row
    // again and again: every run of the change sees it changed under it.
    let holding = true;
    const touch = `update users set updated_at = updated_at where id = '${id}'`;
    await database.query(`begin; ${touch}`);
    const holder = (async () => {
      while (holding) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        // One round trip: the row is locked again before anyone else runs.
        await database.query(`commit; begin; ${touch}`);
      }
      await database.query('commit');
    })();

    const answer = await admin.patch(`/api/users/${id}`, { firstName: 'Renamed' });
    holding = false;
    await holder;

    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    const user = await admin.get(`/api/users/${id}`);
    expect(user.body.firstName).toBe('Contended');
  });
});

describe.runIf(engine === 'postgres')('right passwords sent to two instances at once', () => {
  let a: TestInstance;
  let b: TestInstance;

  beforeAll(async () => {
    a = await startInstance();
    // The second instance: the same database and the same mail server.
    b = await startInstance({ SMTP_URL: `smtp://127.0.0.1:${a.smtp.port}` }, { dir: a.dir });
  });

  afterAll(async () => {
    await b?.stop({ keepFiles: true });
    await a?.stop();
  });

  it('are each answered, signed in or asked to wait, never 500', async () => {
    // Each success forgets the streaks of the address typed and of the
    // client address, while other attempts lock the same two rows.
    const statuses: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const email = `together${round}@breaker3.test`;
      await a.addActiveUser({ email });
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? a : b).client().post('/api/sign-in', { email, password: PASSWORD }),
        ),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }

    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect([...new Set(statuses)].sort()).toEqual([200, 429]);
  });
});
