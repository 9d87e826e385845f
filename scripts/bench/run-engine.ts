/**
 * One pass of the benchmark on one engine: seed, start Callvault, warm it
 * up, then each measurement in turn while the memory and CPU of the phase
 * are watched. Returns every figure; the report decides what they mean.
 */
import crypto from 'node:crypto';
import { migrate } from '../../src/server/db/database.ts';
import { TestSmtp } from '../../test/support/smtp.ts';
import { engineVersion, openBenchDatabase, type Engine } from './engines.ts';
import { signIn, type Cookies, type LoadResult } from './http.ts';
import { measureArgon2Bound, type Argon2Bound } from './measure-argon2.ts';
import {
  measureBareRoute,
  measureCodeVerification,
  measureSignedInRead,
} from './measure-requests.ts';
import {
  measureSearchCase,
  type SearchCase,
  type SearchResult,
} from './measure-search.ts';
import { measurePasswordSignIn } from './measure-sign-in.ts';
import { measureListenerCost } from './measure-smtp.ts';
import {
  measureOutboxAtRest,
  measureTwoFactor,
  type TwoFactorResult,
} from './measure-two-factor.ts';
import { residentBytes, watchPhase, type PhaseUsage } from './monitor.ts';
import {
  freePort,
  startTypeScript,
  stopChild,
  waitUntilReady,
  type Child,
} from './processes.ts';
import { RARE_LAST_NAME, seedPendingSignIns, seedUsers } from './seed.ts';
import { ServerLog } from './server-log.ts';
import type { LatencySummary } from './stats.ts';

export interface Settings {
  users: number;
  twoFactorEvery: number;
  argon2Seconds: number;
  signInSeconds: number;
  signInConnections: number;
  twoFactorSeconds: number;
  twoFactorConcurrency: number;
  outboxAtRestCount: number;
  requestSeconds: number;
  requestConnections: number;
  aloneSeconds: number;
  pendingSignIns: number;
  readSessions: number;
  searchSamples: number;
  searchMaxSeconds: number;
  deepPages: number;
}

export interface EngineReport {
  engine: Engine['name'];
  version: string;
  seedSeconds: number;
  /** Before and after the sign-in load. */
  argon2: readonly [Argon2Bound, Argon2Bound];
  signIn: LoadResult;
  twoFactor: TwoFactorResult;
  outboxAtRest: TwoFactorResult;
  /** One message straight to the listener over a new connection. */
  listener: LatencySummary;
  bare: LoadResult;
  codeVerification: LoadResult & { used: number };
  me: LoadResult;
  usersPage: LoadResult;
  /** The same four routes over one connection. */
  single: {
    bare: LoadResult;
    codeVerification: LoadResult;
    me: LoadResult;
    usersPage: LoadResult;
  };
  search: SearchResult[];
  memory: { idle: number; peak: number };
  usage: Record<string, PhaseUsage>;
  /** Errors the server logged during each phase. */
  errorsByPhase: Record<string, number>;
  serverLog: ServerLog;
}

const progress = (text: string) => process.stderr.write(`${text}\n`);

export async function runEngine(
  engine: Engine,
  settings: Settings,
): Promise<EngineReport> {
  const password = crypto.randomBytes(18).toString('base64url');
  const admin = {
    email: 'bench-admin@example.com',
    password: crypto.randomBytes(18).toString('base64url'),
  };

  progress(`[${engine.name}] seeding ${settings.users.toLocaleString('en')} users`);
  const db = openBenchDatabase(engine.databaseUrl);
  const smtp = new TestSmtp();
  const serverLog = new ServerLog();
  let server: Child | undefined;
  try {
    await migrate(db);
    const version = await engineVersion(db, engine.name);
    const seedStart = performance.now();
    const seeded = await seedUsers(db, {
      users: settings.users,
      twoFactorEvery: settings.twoFactorEvery,
      password,
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    progress(`[${engine.name}] seeded in ${seedSeconds.toFixed(1)} s (${version})`);

    // Users set aside per phase, so that no account is used twice.
    const plain = seeded.plain;
    const warmUsers = plain.slice(0, 100);
    const sessionUsers = plain.slice(100, 100 + settings.readSessions);
    const loadUsers = plain.slice(1_000);
    const flowUsers = seeded.twoFactor.slice(0, settings.outboxAtRestCount + 5_000);
    const codeUsers = seeded.twoFactor.slice(
      flowUsers.length,
      flowUsers.length + settings.pendingSignIns,
    );

    const smtpUrl = await smtp.start();
    const listener = await measureListenerCost(smtpUrl, 10);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = startTypeScript('callvault', 'src/server/main.ts', {
      DATABASE_URL: engine.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_URL: smtpUrl,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      LOG_LEVEL: 'warn',
      ...(process.env.UV_THREADPOOL_SIZE
        ? { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE }
        : {}),
    }, [], serverLog.hear);
    await waitUntilReady(`${base}/readyz`, server);
    progress(`[${engine.name}] Callvault is up, pid ${server.pid}`);
    const pid = server.pid;

    const adminCookies = await signedIn(base, admin.email, admin.password);
    await warmUp(base, warmUsers, password, adminCookies);
    const sessions: Cookies[] = [];
    for (const user of sessionUsers) {
      sessions.push(await signedIn(base, user.email, password));
    }
    const idleRss = await idleResident(pid);
    progress(`[${engine.name}] idle RSS ${(idleRss / 2 ** 20).toFixed(0)} MiB`);

    // Measured before and after the sign-in load, the server idle both
    // times: other work on the machine comes and goes, and the ratio
    // should not hang on one moment.
    const bound = async (when: string) => {
      progress(`[${engine.name}] argon2id bound ${when} (${settings.argon2Seconds} s)`);
      const found = await measureArgon2Bound(settings.argon2Seconds);
      progress(`  ${found.hashesPerSecond.toFixed(1)} hashes/s`);
      return found;
    };
    const argon2Before = await bound('before');

    const usage: Record<string, PhaseUsage> = {};
    const errorsByPhase: Record<string, number> = {};
    const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      progress(`[${engine.name}] ${name}`);
      const errorsBefore = serverLog.errors;
      const { result, usage: used } = await watchPhase(pid, work);
      usage[name] = used;
      errorsByPhase[name] = serverLog.errors - errorsBefore;
      if (errorsByPhase[name]) {
        progress(`  the server logged ${errorsByPhase[name]} errors`);
      }
      return result;
    };

    const signInResult = await phase('password sign-in', () =>
      measurePasswordSignIn({
        base,
        users: loadUsers,
        password,
        connections: settings.signInConnections,
        seconds: settings.signInSeconds,
      }),
    );
    progress(`  ${signInResult.okPerSecond.toFixed(1)} sign-ins/s`);
    const argon2 = [argon2Before, await bound('after')] as const;

    const twoFactor = await phase('two-factor sign-in', () =>
      measureTwoFactor({
        base,
        smtp,
        users: flowUsers.slice(settings.outboxAtRestCount),
        password,
        concurrency: settings.twoFactorConcurrency,
        seconds: settings.twoFactorSeconds,
      }),
    );
    progress(`  ${twoFactor.perSecond.toFixed(1)} two-factor sign-ins/s`);

    const outboxAtRest = await phase('outbox at rest', () =>
      measureOutboxAtRest(
        { base, smtp, password, users: flowUsers },
        settings.outboxAtRestCount,
      ),
    );

    const loaded = {
      connections: settings.requestConnections,
      seconds: settings.requestSeconds,
    };
    // One connection: what a request costs when it waits for no other.
    const alone = { connections: 1, seconds: settings.aloneSeconds };
    const [bare, bareAlone] = await measureBare(loaded, alone);
    progress(`  bare Fastify: ${bare.okPerSecond.toFixed(0)} req/s`);

    // Seeded now, not at the start: codes live ten minutes.
    let codes = await seedPendingSignIns(db, codeUsers);
    const routes = async (load: typeof loaded, label: string) => {
      const codeVerification = await phase(`code verification${label}`, () =>
        measureCodeVerification({ base, ...load }, codes),
      );
      codes = codes.slice(codeVerification.used);
      const me = await phase(`GET /api/me${label}`, () =>
        measureSignedInRead({ base, ...load }, '/api/me', sessions),
      );
      const usersPage = await phase(`GET /api/users${label}`, () =>
        measureSignedInRead({ base, ...load }, '/api/users?limit=25', [
          adminCookies,
        ]),
      );
      return { codeVerification, me, usersPage };
    };
    const { codeVerification, me, usersPage } = await routes(loaded, '');
    const single = { bare: bareAlone, ...(await routes(alone, ', alone')) };

    const search = await phase('users search and paging', async () => {
      const results: SearchResult[] = [];
      for (const test of searchCases(settings.deepPages)) {
        results.push(
          await measureSearchCase(
            base,
            adminCookies,
            test,
            settings.searchSamples,
            settings.searchMaxSeconds,
          ),
        );
      }
      return results;
    });

    const peak = Math.max(...Object.values(usage).map((used) => used.peakRss));
    return {
      engine: engine.name,
      version,
      seedSeconds,
      argon2,
      signIn: signInResult,
      twoFactor,
      outboxAtRest,
      listener,
      bare,
      codeVerification,
      me,
      usersPage,
      single,
      search,
      memory: { idle: idleRss, peak },
      usage,
      errorsByPhase,
      serverLog,
    };
  } finally {
    if (server) await stopChild(server);
    await smtp.stop().catch(() => undefined);
    await db.destroy().catch(() => undefined);
  }
}

function searchCases(deepPages: number): SearchCase[] {
  return [
    { name: 'first page' },
    { name: `page ${deepPages + 1} (cursor followed)`, pagesDeep: deepPages },
    { name: 'common term', search: 'maria' },
    { name: 'rare term', search: RARE_LAST_NAME.toLowerCase() },
    { name: 'missing term', search: 'zzqxnobody' },
  ];
}

/** Signs in a user without two-factor; fails loudly if that fails. */
async function signedIn(
  base: string,
  email: string,
  password: string,
): Promise<Cookies> {
  const result = await signIn(base, email, password);
  if (result.status !== 200 || result.step !== 'home') {
    throw new Error(`sign-in of ${email} answered ${result.status} ${result.step ?? ''}`);
  }
  return result.cookies;
}

/**
 * A little of everything the load will do, so that the measurements
 * start from a warm process and the idle memory is that of a warm one.
 */
async function warmUp(
  base: string,
  users: ReadonlyArray<{ email: string }>,
  password: string,
  admin: Cookies,
): Promise<void> {
  const lanes = 4;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < users.length) {
        const user = users[next]!;
        next += 1;
        const cookies = await signedIn(base, user.email, password);
        await fetch(new URL('/api/me', base), {
          headers: { cookie: `callvault_session=${cookies.callvault_session}` },
        });
      }
    }),
  );
  for (let i = 0; i < 20; i += 1) {
    const response = await fetch(new URL('/api/users?limit=25', base), {
      headers: { cookie: `callvault_session=${admin.callvault_session}` },
    });
    await response.arrayBuffer();
  }
}

/** Resident memory at rest: the median of a second's samples. */
async function idleResident(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const samples: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    samples.push(residentBytes(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** The yardstick, started and stopped around its own measurements. */
type Load = { connections: number; seconds: number };

async function measureBare(
  loaded: Load,
  alone: Load,
): Promise<[LoadResult, LoadResult]> {
  const port = await freePort();
  const bare = startTypeScript('bare-fastify', 'scripts/bench/bare-server.ts', {
    PORT: String(port),
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(base, bare);
    const run = (load: Load) => {
      progress(`[bare Fastify] GET /, ${load.connections} connections`);
      return measureBareRoute({ base, ...load });
    };
    return [await run(loaded), await run(alone)];
  } finally {
    await stopChild(bare);
  }
}
