/**
 * The environment, read once at start-up and turned into one validated,
 * frozen config object. A bad value stops start-up with a message that names
 * the variable and says what it expects.
 */
import net from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const port = z
  .string()
  .regex(/^\d{1,5}$/, 'a whole number from 1 to 65535')
  .transform(Number)
  .refine((value) => value >= 1 && value <= 65535, 'a whole number from 1 to 65535');

/** An IP address, or a host name of letters, digits, dots and hyphens. */
const hostName = z
  .string()
  .refine(
    (value) =>
      net.isIP(value) !== 0 ||
      (!/^[\d.]+$/.test(value) &&
        /^(?=.{1,253}$)[a-z\d]([a-z\d-]{0,61}[a-z\d])?(\.[a-z\d]([a-z\d-]{0,61}[a-z\d])?)*$/i.test(
          value,
        )),
    'a host name or IP address, like 127.0.0.1 or 0.0.0.0',
  );

const minutes = (max: number) =>
  z.coerce
    .number({ error: `a whole number of minutes from 1 to ${max}` })
    .int(`a whole number of minutes from 1 to ${max}`)
    .min(1, `a whole number of minutes from 1 to ${max}`)
    .max(max, `a whole number of minutes from 1 to ${max}`);

const hours = (max: number) =>
  z.coerce
    .number({ error: `a whole number of hours from 1 to ${max}` })
    .int(`a whole number of hours from 1 to ${max}`)
    .min(1, `a whole number of hours from 1 to ${max}`)
    .max(max, `a whole number of hours from 1 to ${max}`);

const url = (protocols: string[], what: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, what);

const environment = z.object({
  PORT: port.default(3000),
  HOST: hostName.default('127.0.0.1'),
  PUBLIC_URL: url(
    ['http:', 'https:'],
    'an http:// or https:// address, like https://calls.example.com',
  )
    .refine(
      // Runs even after the check above failed; an unparsable value is
      // already reported there and must not throw here.
      (value) => !URL.canParse(value) || new URL(value).pathname === '/',
      'an address without a path, like https://calls.example.com',
    )
    .optional(),
  DATABASE_URL: z
    .string()
    .refine(
      // "sqlite:" alone would open a temporary database that keeps nothing.
      (value) => isPostgresUrl(value) || sqliteFile(value) !== '',
      'sqlite:<path to a file> or postgres://user:pass@host:5432/name, ' +
        'like sqlite:./data/callvault.db',
    )
    .default('sqlite:./data/callvault.db'),
  DATABASE_POOL_SIZE: z.coerce
    .number({ error: 'a whole number of connections from 1 to 200' })
    .int('a whole number of connections from 1 to 200')
    .min(1, 'a whole number of connections from 1 to 200')
    .max(200, 'a whole number of connections from 1 to 200')
    .default(10),
  SMTP_URL: url(
    ['smtp:', 'smtps:'],
    'smtp:// or smtps://, like smtps://user:pass@mail.example.com:465',
  ).optional(),
  MAIL_FROM: z
    .string()
    .refine(
      (value) => z.email().safeParse(value.match(/<([^>]+)>$/)?.[1] ?? value)
        .success,
      'an address, or a name and address like "Callvault <no-reply@x.com>"',
    )
    .optional(),
  ADMIN_EMAIL: z.email('one email address').optional(),
  ADMIN_PASSWORD: z.string().optional(),
  SESSION_IDLE_MINUTES: minutes(24 * 60).default(30),
  SESSION_MAX_HOURS: hours(24 * 30).default(12),
  TRUST_PROXY: z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .refine(
      (parts) => parts.every(isAddressOrRange),
      'a comma-separated list of proxy addresses or ranges, like 127.0.0.1,10.0.0.0/8',
    )
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS as [string, ...string[]], {
      error: `one of ${LOG_LEVELS.join(', ')}`,
    })
    .default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** Origin and base path that links in emails are built from. */
  publicUrl: URL;
  /** Whether cookies get the Secure flag (PUBLIC_URL is https). */
  secureCookies: boolean;
  database: DatabaseConfig;
  /** Undefined means the local mailbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  initialAdmin: { email: string; password: string } | undefined;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /**
   * Proxies whose X-Forwarded-For is believed; empty means the socket's
   * address is the client's and forwarded headers are ignored.
   */
  trustProxy: string[];
  logLevel: string;
}

export type DatabaseConfig =
  | { engine: 'sqlite'; file: string }
  /** `poolSize`: connections each instance keeps open at most. */
  | { engine: 'postgres'; url: string; poolSize: number };

/** Thrown when the environment is wrong; main prints it and exits. */
export class ConfigError extends Error {}

/** Reads the environment (empty values count as unset). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environment.safeParse(present);

  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.')} must be ${issue.message}`,
    );
    throw new ConfigError(`Callvault cannot start:\n${lines.join('\n')}`);
  }
  const values = parsed.data;

  if (Boolean(values.ADMIN_EMAIL) !== Boolean(values.ADMIN_PASSWORD)) {
    throw new ConfigError(
      'Callvault cannot start:\n  ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    );
  }

  const publicUrl = new URL(
    values.PUBLIC_URL ?? `http://${hostForUrl(values.HOST)}:${values.PORT}`,
  );

  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    publicUrl,
    secureCookies: publicUrl.protocol === 'https:',
    database: isPostgresUrl(values.DATABASE_URL)
      ? {
          engine: 'postgres' as const,
          url: values.DATABASE_URL,
          poolSize: values.DATABASE_POOL_SIZE,
        }
      : { engine: 'sqlite' as const, file: sqliteFile(values.DATABASE_URL) },
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM ?? `Callvault <no-reply@${publicUrl.hostname}>`,
    initialAdmin: values.ADMIN_EMAIL
      ? { email: values.ADMIN_EMAIL, password: values.ADMIN_PASSWORD ?? '' }
      : undefined,
    sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    sessionMaxHours: values.SESSION_MAX_HOURS,
    trustProxy: values.TRUST_PROXY ?? [],
    logLevel: values.LOG_LEVEL,
  });
}

/** "10.0.0.1", "10.0.0.0/8", "::1" or "fd00::/8". */
function isAddressOrRange(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}

/** postgres://… or postgresql://… with a host. */
function isPostgresUrl(url: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

/** The file of a sqlite: or file: URL; empty when it names none. */
function sqliteFile(url: string): string {
  const match = /^(?:sqlite|file):(?:\/\/)?(.*)$/.exec(url);
  return match?.[1]?.trim() ?? '';
}

/** Listening on every interface still means links point at one name. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
