/**
 * The two cookies and their flags, in one place: HttpOnly (no script reads
 * them), SameSite=Lax (not sent on cross-site posts), Secure over https.
 */
import type { FastifyReply } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config.ts';
import { PENDING_LIFETIME_MS } from '../auth/pending-sign-in.ts';

export const SESSION_COOKIE = 'callvault_session';
export const PENDING_COOKIE = 'callvault_pending';
/** Marks a browser that completed a sign-in before (see auth/devices.ts). */
export const DEVICE_COOKIE = 'callvault_device';
const DEVICE_DAYS = 365;

function flags(config: Config, maxAgeSeconds: number): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    maxAge: maxAgeSeconds,
  };
}

/**
 * The cookie lasts as long as its session: the absolute lifetime in force
 * at sign-in, which Settings > Security may set longer than the default.
 */
export function setSessionCookie(
  reply: FastifyReply,
  config: Config,
  token: string,
  expiresAt: Date,
  now: Date,
) {
  const seconds = Math.round((expiresAt.getTime() - now.getTime()) / 1000);
  reply.setCookie(SESSION_COOKIE, token, flags(config, Math.max(0, seconds)));
}

export function setPendingCookie(reply: FastifyReply, config: Config, token: string) {
  reply.setCookie(PENDING_COOKIE, token, flags(config, PENDING_LIFETIME_MS / 1000));
}

export function setDeviceCookie(reply: FastifyReply, config: Config, token: string) {
  reply.setCookie(DEVICE_COOKIE, token, flags(config, DEVICE_DAYS * 24 * 3600));
}

export function clearSessionCookie(reply: FastifyReply, config: Config) {
  reply.clearCookie(SESSION_COOKIE, flags(config, 0));
}

export function clearPendingCookie(reply: FastifyReply, config: Config) {
  reply.clearCookie(PENDING_COOKIE, flags(config, 0));
}
