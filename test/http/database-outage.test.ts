/**
 * PostgreSQL goes away under a running Callvault and comes back: meanwhile
 * every request that needs it gets 503 with words a person reads, nothing
 * is half-written, and Callvault recovers without a restart. The cluster
 * is this file's own, so stopping it disturbs no other test.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startThrowawayPostgres,
  type Cluster,
} from '../../scripts/postgres-cluster.ts';
import type { Client } from '../support/client.ts';
import { engine } from '../support/database.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';

let cluster: Cluster;
let cv: TestInstance;
let admin: Client;

const NEW_USER = {
  email: 'during.outage@callvault.test',
  firstName: 'During',
  lastName: 'Outage',
  roles: ['user'],
  twoFactor: false,
};

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean) {
  const giveUpAt = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > giveUpAt) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// SQLite is a file inside the process: it cannot go away like a server.
describe.runIf(engine === 'postgres')('when PostgreSQL goes away and comes back', () => {
  beforeAll(async () => {
    cluster = await startThrowawayPostgres({ fast: true });
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    await client.query('create database outage');
    await client.end();

    cv = await startInstance({
      DATABASE_URL: cluster.url.replace(/\/postgres$/, '/outage'),
    });
    admin = await cv.admin();
  });

  afterAll(async () => {
    await cv?.stop();
    await cluster?.stop();
  });

  it('answers 503 while it is away, and /healthz still says the process is up', async () => {
    expect((await cv.client().get('/readyz')).status).toBe(200);
    await cluster.pause();

    const ready = await cv.client().get('/readyz');
    const alive = await cv.client().get('/healthz');
    const list = await admin.get('/api/users');
    const signIn = await cv.client().post('/api/sign-in', {
      email: 'someone@callvault.test',
      password: 'whatever it is today',
    });
    const create = await admin.post('/api/users', NEW_USER);
    const page = await admin.get('/settings/users', { accept: 'text/html' });

    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ ok: false, database: 'unreachable' });
    expect(alive.status).toBe(200);
    for (const answer of [list, signIn, create]) {
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe('DATABASE_UNAVAILABLE');
      expect(answer.body.message).toMatch(/cannot reach its database/);
      expect(answer.headers.get('retry-after')).toBe('5');
    }
    // A person opening a page reads the same words, not JSON.
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toMatch(/<h1>Callvault is unavailable for a moment<\/h1>/);
    expect(page.body).toMatch(/cannot reach its database/);
  });

  it('recovers without a restart, keeping sessions and losing nothing', async () => {
    await cluster.start();

    const ready = await until(
      () => cv.client().get('/readyz'),
      (answer) => answer.status === 200,
    );
    expect(ready.status).toBe(200);

    // The administrator's session from before the outage still works, and
    // the user refused during the outage was not half-created.
    const list = await admin.get(
      `/api/users?search=${encodeURIComponent(NEW_USER.email)}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.users).toEqual([]);

    const created = await admin.post('/api/users', NEW_USER);
    expect(created.status).toBe(201);

    // The outbox sender kept going too: the invitation arrives.
    const invitation = await cv.smtp.waitFor(NEW_USER.email);
    expect(invitation.subject).toMatch(/invit/i);
  });

  it('logs the outage without a stack per request', () => {
    const lines = cv.logs.join('');
    expect(lines).toContain('"event":"database.unavailable"');
    expect(lines).not.toContain('"event":"request.failed"');
  });
});
