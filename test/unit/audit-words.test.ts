/**
 * The Security Log's words: event labels and details as people read them,
 * the same on the page and in the CSV export.
 */
import { describe, expect, it } from 'vitest';
import { detailWords, eventLabel } from '../../src/api/audit-words.ts';

describe('event labels', () => {
  it('names the events Callvault records in words', () => {
    expect(eventLabel('sign_in.failed')).toBe('Sign-in failed');
    expect(eventLabel('user.deleted')).toBe('User deleted');
  });

  it('words an event it has no label for from its code', () => {
    expect(eventLabel('password.reset_requested')).toBe('Password reset requested');
  });
});

describe('details', () => {
  it('says why a sign-in failed and which address was typed', () => {
    const words = detailWords('sign_in.failed', {
      email: 'ghost@x.test',
      reason: 'unknown_email',
    });

    expect(words).toBe('No user has this email address. Email typed: ghost@x.test');
  });

  it('lists what an administrator changed, from and to', () => {
    const words = detailWords('user.updated', {
      changes: {
        roles: { from: ['user'], to: ['administrator', 'user'] },
        status: { from: 'active', to: 'disabled' },
      },
    });

    expect(words).toBe(
      'Roles: User → Administrator, User; Status: Active → Disabled',
    );
  });

  it('counts the sessions ended and the mail discarded for a deleted user', () => {
    const words = detailWords('user.deleted', {
      name: 'Ann Lee',
      roles: ['user'],
      status: 'active',
      sessions: 2,
      mailDiscarded: 1,
    });

    expect(words).toBe(
      'Name: Ann Lee. Roles: User. Status: Active. 2 sessions ended. ' +
        '1 unsent email discarded',
    );
  });

  it('keeps details it does not know, as key and value', () => {
    expect(detailWords('user.updated', { mode: 'email' })).toBe('mode: Email');
  });

  it('words a policy change field by field, in the page\'s own terms', () => {
    const words = detailWords('policy.changed', {
      from: { twoFactor: 'none', sessionIdleMinutes: null },
      to: { twoFactor: 'email', sessionIdleMinutes: 15 },
    });

    expect(words).toBe(
      'Two-factor: No MFA → Email MFA; Be idle for (minutes): (none) → 15',
    );
  });

  it('says nothing for an event without details', () => {
    expect(detailWords('sign_out', null)).toBe('');
  });
});
