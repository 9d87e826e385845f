/**
 * Settings > Security Log over HTTP against a real Callvault: the audit
 * trail newest first, keyset pages, filters by user, event kind and UTC
 * dates, administrators only, and a CSV export that spreadsheets read as
 * text, never as formulas (OWASP CSV injection).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';

const DAY = 24 * 3_600_000;

let cv: TestInstance;
let admin: Client;

interface Row {
  id: number;
  at: string;
  event: string;
  actor: { email: string | null; name: string | null } | null;
  target: { email: string | null; name: string | null } | null;
}

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();

  // Something of every usual kind: sign-ins that fail and succeed, users
  // added, one changed.
  await cv.client().post('/api/sign-in', { email: 'ghost@log.test', password: 'x' });
  await cv.client().post('/api/sign-in', { email: ADMIN.email, password: 'wrong one' });
  const { id } = await cv.addActiveUser({ email: 'ann.lee@log.test', firstName: 'Ann' });
  await admin.patch(`/api/users/${id}`, { lastName: 'Lee' });
});
afterAll(async () => {
  await cv.stop();
});

async function events(query = ''): Promise<Row[]> {
  const answer = await admin.get(`/api/audit-events?limit=100${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.events;
}

/** The CSV export for a query, as rows of cells (header first). */
async function csv(query = '') {
  const answer = await admin.get(`/api/audit-events.csv${query}`);
  expect(answer.status, String(answer.body)).toBe(200);
  const text = answer.body as string;
  return { answer, text, rows: parse(text, { bom: true }) as string[][] };
}

describe('who may read it', () => {
  it.each(['supervisor', 'user'])('refuses a %s with 403 on every route', async (role) => {
    const { client } = await cv.addActiveUser({
      email: `${role}@not-admin.log.test`,
      roles: [role],
    });

    for (const path of [
      '/api/audit-events',
      '/api/audit-events/kinds',
      '/api/audit-events.csv',
    ]) {
      const answer = await client.get(path);
      expect(answer.status, path).toBe(403);
      expect(answer.body.code).toBe('FORBIDDEN');
    }
  });

  it('asks a stranger to sign in', async () => {
    const answer = await cv.client().get('/api/audit-events.csv');

    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/json/);
  });
});

describe('the trail', () => {
  it('lists events newest first', async () => {
    const rows = await events();

    expect(rows.length).toBeGreaterThan(8);
    const ids = rows.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const times = rows.map((row) => row.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('pages through every event exactly once', async () => {
    const all = (await events()).map((row) => row.id);
    const seen: number[] = [];
    let before: number | null = null;

    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const answer = await admin.get(`/api/audit-events?limit=3${query}`);
      expect(answer.body.events.length).toBeLessThanOrEqual(3);
      seen.push(...answer.body.events.map((row: Row) => row.id));
      before = answer.body.nextCursor;
    } while (before !== null);

    expect(seen.filter((id) => all.includes(id))).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('lists the event kinds with words people read', async () => {
    const answer = await admin.get('/api/audit-events/kinds');

    expect(answer.body.kinds).toContainEqual({
      event: 'sign_in.failed',
      label: 'Sign-in failed',
    });
    expect(answer.body.kinds).toContainEqual({ event: 'user.deleted', label: 'User deleted' });
  });
});

describe('filters', () => {
  it('by event kind', async () => {
    const rows = await events('&event=sign_in.failed');

    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row.event).toBe('sign_in.failed');
  });

  it('by part of a user email or name, as actor or target, whatever the case', async () => {
    const rows = await events('&user=ANN.LEE@');

    expect(rows.map((row) => row.event)).toEqual(
      expect.arrayContaining(['user.created', 'user.updated', 'sign_in.succeeded']),
    );
    for (const row of rows) {
      const emails = [row.actor?.email, row.target?.email];
      expect(emails).toContain('ann.lee@log.test');
    }
    // Names as they were: Ann was added as "Ann User", renamed later.
    const byName = await events('&user=ann%20user');
    expect(byName.map((row) => row.event)).toContain('user.created');
  });

  it('matches % and _ in the user filter literally', async () => {
    expect(await events('&user=%25')).toEqual([]);
    expect(await events('&user=_')).toEqual([]);
  });

  it('by a range of UTC days, both ends included', async () => {
    const today = cv.callvault.ctx.clock().toISOString().slice(0, 10);
    cv.advance(2 * DAY);
    const later = cv.callvault.ctx.clock().toISOString().slice(0, 10);
    admin = await cv.admin();

    const onlyToday = await events(`&from=${today}&to=${today}`);
    const fromLater = await events(`&from=${later}`);
    const untilToday = await events(`&to=${today}`);

    expect(onlyToday.length).toBeGreaterThan(5);
    for (const row of onlyToday) expect(row.at.slice(0, 10)).toBe(today);
    expect(fromLater.map((row) => row.event)).toContain('sign_in.succeeded');
    for (const row of fromLater) expect(row.at.slice(0, 10)).toBe(later);
    expect(untilToday).toEqual(onlyToday);
  });

  it.each([
    ['an end before the start', '&from=2026-05-02&to=2026-05-01', 'to'],
    ['a date that is not one', '&from=2026-02-30', 'from'],
    ['a date in another form', '&to=03/12/2026', 'to'],
    ['an event Callvault never records', '&event=drop.tables', 'event'],
  ])('refuses %s with 400, next to the field', async (_what, query, field) => {
    const answer = await admin.get(`/api/audit-events?limit=5${query}`);

    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body.fields)).toEqual([field]);
    const export_ = await admin.get(`/api/audit-events.csv?${query.slice(1)}`);
    expect(export_.status).toBe(400);
  });

  it('refuses a parameter it does not know', async () => {
    const answer = await admin.get('/api/audit-events?sql=1');

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
  });
});

describe('the CSV export', () => {
  const TRICKY = [
    ['formula-eq@csv.log.test', '=HYPERLINK("http://x")'],
    ['formula-plus@csv.log.test', '+1'],
    ['formula-minus@csv.log.test', '-2'],
    ['formula-at@csv.log.test', '@SUM(A1)'],
    ['comma@csv.log.test', 'Lee, "Ann"'],
    ['markup@csv.log.test', '<img src=x onerror=alert(1)>'],
  ] as const;

  beforeAll(async () => {
    for (const [email, firstName] of TRICKY) {
      const created = await admin.post('/api/users', {
        email,
        firstName,
        lastName: '',
        roles: ['user'],
        twoFactor: false,
      });
      expect(created.status).toBe(201);
    }
  });

  it('is a UTF-8 CSV attachment with a header row', async () => {
    const { answer, rows } = await csv();
    // fetch's text() drops a byte-order mark, so the bytes are read raw.
    const url = `${cv.url}/api/audit-events.csv`;
    const raw = await fetch(url, {
      headers: { cookie: await admin.jar.getCookieString(url) },
    });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(answer.headers.get('content-disposition')).toMatch(
      /^attachment; filename="callvault-security-log-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(rows[0]).toEqual([
      'ID',
      'Time (UTC)',
      'Event',
      'Event code',
      'Who (name)',
      'Who (email)',
      'To whom (name)',
      'To whom (email)',
      'Address',
      'Details',
    ]);
  });

  it('holds exactly the filtered view, newest first', async () => {
    const listed = await events('&event=user.created');
    const { rows } = await csv('?event=user.created');

    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(
      listed.map((row) => row.id),
    );
    for (const row of rows.slice(1)) {
      expect(row[2]).toBe('User added');
      expect(row[3]).toBe('user.created');
    }
  });

  it('prefixes a quote to every cell a spreadsheet would run', async () => {
    const { text, rows } = await csv('?event=user.created&user=formula-');
    const names = rows.slice(1).map((row) => row[6]);

    expect(text).toContain('"\'=HYPERLINK(""http://x"")"');
    expect(names.sort()).toEqual(
      ["'+1", "'-2", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)"].sort(),
    );
    const whole = await csv();
    const runnable = whole.rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(runnable).toEqual([]);
  });

  it('quotes cells with commas and doubles the quotes inside', async () => {
    const { text, rows } = await csv('?event=user.created&user=comma@');

    expect(text).toContain('"Lee, ""Ann"""');
    expect(rows[1]![6]).toBe('Lee, "Ann"');
  });

  it('keeps markup in names as plain text, in the list and the CSV', async () => {
    const listed = await events('&user=markup@');
    const { rows } = await csv('?user=markup@');

    expect(listed[0]!.target!.name).toBe('<img src=x onerror=alert(1)>');
    expect(rows[1]![6]).toBe('<img src=x onerror=alert(1)>');
  });

  it('records who exported which part of the trail', async () => {
    await csv('?event=sign_in.failed');

    const [latest] = await events('&event=audit.exported');
    expect(latest!.actor!.email).toBe(ADMIN.email);
    const answer = await admin.get('/api/audit-events?limit=1&event=audit.exported');
    expect(answer.body.events[0].detail).toEqual({
      filters: { event: 'sign_in.failed' },
    });
  });
});
