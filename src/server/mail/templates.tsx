/**
 * Email bodies, in plain text and HTML. HTML is rendered by React, which
 * escapes every value, so a name like "<script>" arrives as text.
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
