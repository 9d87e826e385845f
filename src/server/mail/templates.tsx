/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * Email bodies, in plain text and HTML. HTML is rendered by React, which
 * escapes every value, so a name like "<script>" arrives as text.
 *
 * The pragmas above hold when the server is started from another folder,
 * where tsx finds no tsconfig.json to tell it how JSX is compiled.
 */
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

export interface Message {
  subject: string;
  text: string;
  html: string;
}

function page(title: string, body: ReactNode): string {
  return (
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang="en">
        <head>
          <meta charSet="utf-8" />
          <title>{title}</title>
        </head>
        <body style={{ fontFamily: 'system-ui, sans-serif', lineHeight: 1.5 }}>
          {body}
        </body>
      </html>,
    )
  );
}

export interface InvitationParams {
  inviterName: string;
  portalUrl: string;
  link: string;
  expiresAt: Date;
}

/** The invitation a new user receives. */
export function invitationMessage(params: InvitationParams): Message {
  const { inviterName, portalUrl, link } = params;
  const expires = params.expiresAt.toUTCString();
  const subject = 'You are invited to Callvault';

  const text = [
    `${inviterName} has invited you to Callvault, the call-recording portal ` +
      `at ${portalUrl}.`,
    '',
    'Open this link to sign in for the first time and choose your password:',
    link,
    '',
    `The link works once and expires on ${expires}.`,
    'If you did not expect this invitation, you can ignore this email.',
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        {inviterName} has invited you to Callvault, the call-recording portal
        at <a href={portalUrl}>{portalUrl}</a>.
      </p>
      <p>
        <a href={link}>Sign in and choose your password</a>
      </p>
      <p>The link works once and expires on {expires}.</p>
      <p>If you did not expect this invitation, you can ignore this email.</p>
    </>,
  );

  return { subject, text, html };
}

/** The security code asked for at sign-in. */
export function securityCodeMessage(code: string, minutes: number): Message {
  const subject = 'Your Callvault security code';

  const text = [
    `Your security code is ${code}`,
    '',
    `It expires in ${minutes} minutes and works once.`,
    'Callvault will never ask you for this code by phone or email.',
    'If you did not try to sign in, change your password.',
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>Your security code is</p>
      <p style={{ fontSize: '28px', letterSpacing: '4px' }}>
        <strong>{code}</strong>
      </p>
      <p>It expires in {minutes} minutes and works once.</p>
      <p>Callvault will never ask you for this code by phone or email.</p>
      <p>If you did not try to sign in, change your password.</p>
    </>,
  );

  return { subject, text, html };
}

export interface PasswordChangedParams {
  /** When the change was made. */
  at: Date;
  /** The client address the change came from, if known. */
  address: string | null;
  /** "Chrome 140 on Linux". */
  device: string;
  portalUrl: string;
}

/**
 * Tells a user their password changed (ASVS 2.2.3, 2.5.5), so that a
 * change they did not make does not go unnoticed. No secret in it.
 */
export function passwordChangedMessage(params: PasswordChangedParams): Message {
  const { device, portalUrl } = params;
  const when = params.at.toUTCString();
  const from = params.address ?? 'an unknown address';
  const subject = 'Your Callvault password was changed';

  const text = [
    `Your Callvault password was changed on ${when}, from ${from} ` +
      `(${device}).`,
    '',
    'Your other sessions were signed out. If you made this change, there ' +
      'is nothing more to do.',
    '',
    'If you did not, someone may know your password: tell your ' +
      `administrator at once. Callvault: ${portalUrl}`,
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        Your Callvault password was changed on {when}, from {from} ({device}).
      </p>
      <p>
        Your other sessions were signed out. If you made this change, there
        is nothing more to do.
      </p>
      <p>
        If you did not, someone may know your password: tell your
        administrator at once. Callvault: <a href={portalUrl}>{portalUrl}</a>
      </p>
    </>,
  );

  return { subject, text, html };
}

export interface PasswordResetParams {
  portalUrl: string;
  link: string;
  expiresAt: Date;
}

/**
 * The link to choose a new password, for "Forgot your password?" and an
 * administrator's "Send password reset" alike.
 */
export function passwordResetMessage(params: PasswordResetParams): Message {
  const { portalUrl, link } = params;
  const expires = params.expiresAt.toUTCString();
  const subject = 'Reset your Callvault password';

  const text = [
    'Someone asked to reset the password of your account on Callvault, ' +
      `the call-recording portal at ${portalUrl}.`,
    '',
    'Open this link to choose a new password:',
    link,
    '',
    `The link works once and expires on ${expires}.`,
    'If you did not ask for this, ignore this email: your password stays ' +
      'as it is.',
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        Someone asked to reset the password of your account on Callvault,
        the call-recording portal at <a href={portalUrl}>{portalUrl}</a>.
      </p>
      <p>
        <a href={link}>Choose a new password</a>
      </p>
      <p>The link works once and expires on {expires}.</p>
      <p>
        If you did not ask for this, ignore this email: your password stays
        as it is.
      </p>
    </>,
  );

  return { subject, text, html };
}

export interface PasswordResetDoneParams {
  at: Date;
  /** The client address the reset came from, if known. */
  address: string | null;
  portalUrl: string;
}

/**
 * Confirms a finished reset (ASVS 2.2.3, 2.5.5; OWASP Forgot Password
 * Cheat Sheet). Holds no link and no secret: it only warns.
 */
export function passwordResetDoneMessage(params: PasswordResetDoneParams): Message {
  const { portalUrl } = params;
  const when = params.at.toUTCString();
  const from = params.address ?? 'an unknown address';
  const subject = 'Your Callvault password was reset';

  const text = [
    `Your Callvault password was reset on ${when}, from ${from}, with a ` +
      'link sent to this address.',
    '',
    'Every session of your account was signed out. If you reset it, there ' +
      'is nothing more to do.',
    '',
    'If you did not, someone can read your email: tell your administrator ' +
      `at once. Callvault: ${portalUrl}`,
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        Your Callvault password was reset on {when}, from {from}, with a link
        sent to this address.
      </p>
      <p>
        Every session of your account was signed out. If you reset it, there
        is nothing more to do.
      </p>
      <p>
        If you did not, someone can read your email: tell your administrator
        at once. Callvault: <a href={portalUrl}>{portalUrl}</a>
      </p>
    </>,
  );

  return { subject, text, html };
}

export interface TwoFactorChangedParams {
  /** Whether the code step is now on. */
  on: boolean;
  /** The administrator who changed it. */
  changedBy: string;
  at: Date;
  portalUrl: string;
}

/**
 * Tells a user an administrator turned their two-factor on or off (ASVS
 * 2.5.5: a change of factor is notified). It carries no code or link: the
 * code comes in its own email at the next sign-in.
 */
export function twoFactorChangedMessage(params: TwoFactorChangedParams): Message {
  const { on, changedBy, portalUrl } = params;
  const when = params.at.toUTCString();
  const state = on ? 'turned on' : 'turned off';
  const subject = `Two-factor sign-in was ${state} for your Callvault account`;
  const effect = on
    ? 'From your next sign-in, Callvault will also ask for a security code ' +
      'that it emails to you.'
    : 'Your next sign-in will no longer ask for a security code by email.';

  const text = [
    `${changedBy} ${state} two-factor sign-in for your Callvault account ` +
      `on ${when}.`,
    '',
    effect,
    'You were signed out of Callvault on every device.',
    '',
    'If you did not expect this change, ask your administrator about it. ' +
      `Callvault: ${portalUrl}`,
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        {changedBy} {state} two-factor sign-in for your Callvault account on{' '}
        {when}.
      </p>
      <p>{effect}</p>
      <p>You were signed out of Callvault on every device.</p>
      <p>
        If you did not expect this change, ask your administrator about it.
        Callvault: <a href={portalUrl}>{portalUrl}</a>
      </p>
    </>,
  );

  return { subject, text, html };
}

export interface CodeFailuresParams {
  /** Wrong codes in the last hour. */
  failures: number;
  /** When the latest wrong code was entered. */
  at: Date;
  /** The client address it came from, if known. */
  address: string | null;
  portalUrl: string;
}

/**
 * Warns a user that someone keeps entering wrong security codes for their
 * account (ASVS 2.2.3; OWASP MFA cheat sheet: notify of failed second
 * factors). Whoever that is got past the password, so the advice is to
 * change it. No code, link or secret is in it.
 */
export function codeFailuresMessage(params: CodeFailuresParams): Message {
  const { failures, portalUrl } = params;
  const when = params.at.toUTCString();
  const from = params.address ?? 'an unknown address';
  const subject = 'Wrong security codes were entered for your Callvault account';

  const text = [
    `${failures} wrong security codes were entered for your Callvault ` +
      `account in the last hour, the latest on ${when} from ${from}.`,
    '',
    'If that was you, sign in again and use the code in the newest email.',
    '',
    'If it was not you, someone knows your password: change it at once ' +
      '(My account, or "Forgot your password?" on the sign-in page) and ' +
      `tell your administrator. Callvault: ${portalUrl}`,
    '',
    'Callvault sends this warning at most once an hour.',
  ].join('\n');

  const html = page(
    subject,
    <>
      <p>
        {failures} wrong security codes were entered for your Callvault
        account in the last hour, the latest on {when} from {from}.
      </p>
      <p>If that was you, sign in again and use the code in the newest email.</p>
      <p>
        If it was not you, someone knows your password: change it at once (My
        account, or “Forgot your password?” on the sign-in page) and tell
        your administrator. Callvault: <a href={portalUrl}>{portalUrl}</a>
      </p>
      <p>Callvault sends this warning at most once an hour.</p>
    </>,
  );

  return { subject, text, html };
}
