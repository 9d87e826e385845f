/**
 * Helpers for tests of Settings > Users against a real instance: read a
 * user's stored row, count rows, prove no mail left, add an invited user
 * as the administrator, and check an error message is for people.
 */
import { expect } from 'vitest';
import type { Client } from './client.ts';
import type { TestInstance } from './instance.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The helpers, bound to the instance and administrator a test file starts
 * in its own beforeAll; both are read when a helper runs, not before.
 */
export function userAdministration(
  instance: () => TestInstance,
  administrator: () => Client,
) {
  /** The user's row as stored, to prove a refused request changed nothing. */
  function userRow(id: string) {
    return instance()
      .callvault.db.selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  function usersWithEmail(email: string) {
    return instance()
      .callvault.db.selectFrom('users')
      .selectAll()
      .where('email_normalized', '=', email.trim().toLowerCase())
      .execute();
  }

  async function count(table: 'users' | 'outbox' | 'links' | 'sessions') {
    const row = await instance()
      .callvault.db.selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * What mail exists now: queued in the outbox and received by SMTP. Mail
   * an earlier step queued is delivered first, so that it is not mistaken
   * for mail sent by the step under test.
   */
  async function mailSnapshot() {
    const cv = instance();
    for (let tries = 0; tries < 50; tries += 1) {
      await cv.callvault.sender.deliverDue();
      const unsent = await cv.callvault.db
        .selectFrom('outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('discarded_at', 'is', null)
        .execute();
      if (unsent.length === 0) break;
      await sleep(100);
    }
    return { outbox: await count('outbox'), received: cv.smtp.mails.length };
  }

  /**
   * Proves nothing was sent since `before`: nothing new in the outbox (all
   * mail passes through it), and nothing arrives even after the sender has
   * been made to run and had time to deliver.
   */
  async function expectNoMailSince(before: {
    outbox: number;
    received: number;
  }) {
    const cv = instance();
    await cv.callvault.sender.deliverDue();
    await sleep(1500);

    expect(await count('outbox')).toBe(before.outbox);
    expect(cv.smtp.mails.length).toBe(before.received);
  }

  /** Adds an invited user as the administrator and returns their id. */
  async function invite(email: string, extra: Record<string, unknown> = {}) {
    const created = await administrator().post('/api/users', {
      email,
      firstName: 'Invited',
      lastName: 'Person',
      roles: ['user'],
      twoFactor: false,
      ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }

  return {
    sleep,
    userRow,
    usersWithEmail,
    count,
    mailSnapshot,
    expectNoMailSince,
    invite,
    expectHumanMessage,
  };
}

/** Error messages are for people: no schema jargon from the validator. */
export function expectHumanMessage(message: unknown) {
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(10);
  expect(message).not.toMatch(
    /invalid input|expected|received|zod|undefined|NaN/i,
  );
}
