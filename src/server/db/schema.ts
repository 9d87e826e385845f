/**
 * Table types for Kysely. Times are ISO-8601 UTC strings, which sort and
 * compare the same way in SQLite and PostgreSQL. Flags are 0/1 integers for
 * the same reason.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  /** Lower-cased email; unique, so case never makes a second account. */
  email_normalized: string;
  first_name: string;
  last_name: string;
  /** Lower-cased "first last email", for the Users search. */
  search_text: string;
  role_administrator: number;
  role_supervisor: number;
  role_user: number;
  two_factor: number;
  status: 'invited' | 'active' | 'disabled';
  must_personalise: number;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
  /** Raised by every security change; see migration 0002. */
  security_version: number;
}

/** Single-use links: invitations, password resets, first setup. */
export interface LinksTable {
  id: string;
  purpose: 'invitation' | 'setup' | 'reset';
  token_hash: string;
  user_id: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  voided_at: string | null;
}

/** A browser between the password (or link) and a full session. */
export interface PendingSignInsTable {
  id: string;
  token_hash: string;
  user_id: string;
  stage: 'code' | 'personalise';
  via: 'password' | 'invitation';
  created_at: string;
  expires_at: string;
  code_hash: string | null;
  code_sent_at: string | null;
  code_expires_at: string | null;
  code_failures: number;
  security_version: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  security_version: number;
}

export interface OutboxTable {
  id: string;
  kind: string;
  user_id: string | null;
  to_address: string;
  subject: string;
  /** Erased once sent or discarded: it may hold a link or a code. */
  text_body: string | null;
  html_body: string | null;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  sent_at: string | null;
  /** Past this time the message is useless (its code or link expired). */
  discard_after: string | null;
  discarded_at: string | null;
  last_error: string | null;
}

export interface MailboxTable {
  id: string;
  received_at: string;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string;
  html_body: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  event: string;
  actor_user_id: string | null;
  actor_email: string | null;
  target_user_id: string | null;
  target_email: string | null;
  /** The names people had when the event happened (migration 0005). */
  actor_name: string | null;
  target_name: string | null;
  ip: string | null;
  detail: string | null;
}

/** One throttle counter: failures in a row, or requests in a window. */
export interface ThrottlesTable {
  key: string;
  count: number;
  window_started_at: string;
  blocked_until: string | null;
  updated_at: string;
}

/** A browser that completed a sign-in of this user before. */
export interface KnownDevicesTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
}

/**
 * The company's security policy, one row (id 1). 'app' (authenticator
 * apps) joins the modes in a later version.
 */
export interface SettingsTable {
  id: number;
  two_factor_mode: 'none' | 'email';
  /** Null: SESSION_IDLE_MINUTES applies. */
  session_idle_minutes: number | null;
  /** Null: SESSION_MAX_HOURS applies. */
  session_max_hours: number | null;
  updated_at: string | null;
  updated_by: string | null;
}

export interface Database {
  users: UsersTable;
  links: LinksTable;
  pending_sign_ins: PendingSignInsTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  mailbox: MailboxTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  throttles: ThrottlesTable;
  known_devices: KnownDevicesTable;
}
