/**
 * One table per measurement of docs/BENCHMARKS.md, a row per engine:
 * target, result, "met" or "MISSED", and where missed, what this run's
 * own figures say about why.
 */
import type { LoadResult } from './http.ts';
import type { PhaseUsage } from './monitor.ts';
import {
  alone,
  bound,
  cpu,
  median,
  mib,
  ms,
  pct,
  perRequest,
  rate,
  refusals,
  serverErrors,
  TARGETS,
  times,
  verdict,
} from './report-format.ts';
import type { EngineReport } from './run-engine.ts';
import { percentile } from './stats.ts';

export function argon2Table(engines: EngineReport[]): string[] {
  const probe = (a: EngineReport['argon2'][number]) =>
    `${rate(a.hashesPerSecond)} (${a.hashes} in ${a.seconds.toFixed(1)} s, ` +
    `on ${a.cores.toFixed(2)} cores)`;
  return [
    '## 1. argon2id bound',
    '',
    'Password hashes per second with the configured parameters, as many at',
    "once as the server's libuv thread pool runs, in a separate process while",
    'Callvault is idle; probed before and after the sign-in load, and the',
    'mean used for the ratios. Not a target: the yardstick for sign-in.',
    '',
    '| engine pass | parallel | before | after | bound used |',
    '|---|---|---|---|---|',
    ...engines.map(
      (e) =>
        `| ${e.engine} | ${e.argon2[0].parallel} | ${probe(e.argon2[0])} | ` +
        `${probe(e.argon2[1])} | ${rate(bound(e))} |`,
    ),
    '',
  ];
}

export function signInTable(engines: EngineReport[]): string[] {
  const target = TARGETS.signInShareOfArgon2;
  return [
    '## 2. Password sign-in, no two-factor',
    '',
    'POST /api/sign-in with the right password of a different seeded user',
    'each time; each success creates a session. "Per CPU second" sets',
    "sign-ins per second of the server's CPU against hashes per second of",
    "the probe's: the share of the server's CPU that argon2 got, a figure",
    'that other work on the machine does not move. The target is on the',
    'plain ratio.',
    '',
    '| engine | target | result | per CPU second | verdict | why |',
    '|---|---|---|---|---|---|',
    ...engines.map((e) => {
      const share = e.signIn.okPerSecond / bound(e);
      const met = share >= target && e.signIn.failed === 0;
      const usage = e.usage['password sign-in'];
      const probeCores = (e.argon2[0].cores + e.argon2[1].cores) / 2;
      // Per second of CPU, which other work on the machine cannot skew:
      // the share of the server's CPU that went into argon2.
      const perCore =
        usage && usage.serverCores > 0
          ? e.signIn.okPerSecond / usage.serverCores / (bound(e) / probeCores)
          : Number.NaN;
      const why = met
        ? ''
        : `${cpu(usage)} The argon2 probe got ${probeCores.toFixed(2)} ` +
          `cores; the server under sign-in load got ` +
          `${usage?.serverCores.toFixed(2) ?? '?'} for argon2 and its own ` +
          "event loop (HTTP, JSON, the sign-in's SQL) together." +
          refusals(e.signIn) +
          serverErrors(e, 'password sign-in');
      return (
        `| ${e.engine} | ≥ ${pct(target)} of argon2 bound | ` +
        `${rate(e.signIn.okPerSecond)} = ${pct(share)} (p50 ` +
        `${ms(e.signIn.latency.p50)}, p99 ${ms(e.signIn.latency.p99)}) | ` +
        `${pct(perCore)} | ${verdict(met)} | ${why} |`
      );
    }),
    '',
  ];
}

export function twoFactorTable(engines: EngineReport[]): string[] {
  return [
    '## 3. Full two-factor sign-in',
    '',
    'Password, then the code read from the email the SMTP listener accepted,',
    'then POST /api/sign-in/code; many two-factor users at once, each once.',
    'No target was set; shown beside the argon2 bound, since each sign-in',
    'costs one hash.',
    '',
    '| engine | target | result | verdict | notes |',
    '|---|---|---|---|---|',
    ...engines.map((e) => {
      const t = e.twoFactor;
      const failures = t.failed
        ? ` ${t.failed} failed (first: ${t.firstFailure ?? '?'}).`
        : '';
      // Each flow waits for its code email: how long that took, at rest
      // and under this load, is the outbox's share of the flow.
      const outbox =
        ` A code email took p50 ${ms(median(e.outboxAtRest.outboxMs))} at ` +
        `rest and ${ms(median(t.outboxMs))} under this load (section 6).`;
      return (
        `| ${e.engine} | none set | ${rate(t.perSecond)} = ` +
        `${pct(t.perSecond / bound(e))} of the bound ` +
        `(${t.completed} sign-ins; whole flow p50 ${ms(median(t.flowMs))}) | — | ` +
        `${cpu(e.usage['two-factor sign-in'])}${outbox}${failures}` +
        `${serverErrors(e, 'two-factor sign-in')} |`
      );
    }),
    '',
  ];
}

export function requestTables(engines: EngineReport[]): string[] {
  const lines = [
    '## 4. Code verification and signed-in reads, against a bare Fastify route',
    '',
    'Same autocannon settings for all (connections and duration in the last',
    'table); the bare route is `GET /` returning a small JSON from a minimal',
    'Fastify 5 server in its own process, measured in the same pass. Code',
    'verification spends one seeded pending sign-in per request, with its',
    "right code. Latencies are autocannon's, over 2xx answers. \"Alone\" is",
    'the same route over one connection: the cost of one request that waits',
    'for no other.',
    '',
    '| engine | route | target | result | alone | verdict | why |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const e of engines) {
    lines.push(
      `| ${e.engine} | bare Fastify GET / | yardstick | ${rate(e.bare.okPerSecond)}, ` +
        `p50 ${ms(e.bare.latency.p50)}, p99 ${ms(e.bare.latency.p99)} | ` +
        `${alone(e.single.bare)} | — | |`,
    );
    const routes: Array<[string, string, LoadResult, LoadResult]> = [
      ['POST /api/sign-in/code', 'code verification', e.codeVerification,
        e.single.codeVerification],
      ['GET /api/me', 'GET /api/me', e.me, e.single.me],
      ['GET /api/users (page 1)', 'GET /api/users', e.usersPage, e.single.usersPage],
    ];
    for (const [label, phase, result, single] of routes) {
      const share = result.okPerSecond / e.bare.okPerSecond;
      const shareMet = share >= TARGETS.shareOfBareRoute;
      const p99Met = result.latency.p99 < TARGETS.p99Ms;
      const met = shareMet && p99Met && result.failed === 0;
      const why = met
        ? ''
        : requestWhy(result, single, e.usage[phase], shareMet, p99Met) +
          serverErrors(e, phase);
      lines.push(
        `| ${e.engine} | ${label} | ≥ ${pct(TARGETS.shareOfBareRoute)} of bare ` +
          `req/s, p99 < ${TARGETS.p99Ms} ms | ${rate(result.okPerSecond)} = ` +
          `${pct(share)}; p50 ${ms(result.latency.p50)} ` +
          `(${times(result.latency.p50, e.bare.latency.p50)} bare), ` +
          `p99 ${ms(result.latency.p99)} ` +
          `(${times(result.latency.p99, e.bare.latency.p99)} bare) | ` +
          `${alone(single)} | ${verdict(met)} | ${why} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function requestWhy(
  result: LoadResult,
  single: LoadResult,
  usage: PhaseUsage | undefined,
  shareMet: boolean,
  p99Met: boolean,
): string {
  const parts = [cpu(usage)];
  if (!shareMet) {
    parts.push(
      `Alone, one request already takes ${ms(perRequest(single))} ` +
        '(the bare route: see its row), so the work each request does ' +
        '(its SQL, its transaction, HTTP and JSON), not the load, sets ' +
        'the ceiling.',
    );
  }
  if (!p99Met) {
    parts.push(
      'Under load the rest is queueing: with every connection busy, a ' +
        'request waits for the ones ahead of it on the one event loop.',
    );
  }
  return parts.join(' ') + refusals(result);
}

export function searchTable(engines: EngineReport[]): string[] {
  const lines = [
    '## 5. Users search and paging at 100,000 users',
    '',
    'GET /api/users as the administrator, 25 to a page, one request at a',
    'time, timed from the client (send to last byte).',
    '',
    '| engine | case | query | rows | target | p50 | p95 | verdict | why |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of engines) {
    for (const s of e.search) {
      const met = s.p95 < TARGETS.searchP95Ms;
      const why = met ? '' : searchWhy(e, s);
      lines.push(
        `| ${e.engine} | ${s.name} | \`${s.query}\` | ${s.rows} | ` +
          `p95 < ${TARGETS.searchP95Ms} ms | ${ms(s.p50)} | ${ms(s.p95)} ` +
          `(${s.count} samples) | ${verdict(met)} | ${why} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

/**
 * Against the first page of the same phase: what the search or the cursor
 * adds to a request that is otherwise the same.
 */
function searchWhy(e: EngineReport, s: EngineReport['search'][number]): string {
  const first = e.search[0];
  const usage = cpu(e.usage['users search and paging']);
  if (!first || first === s) {
    return `${usage} The plain first page is the fixed cost of the request.`;
  }
  return (
    `The plain first page, in the same phase: p50 ${ms(first.p50)}, ` +
    `p95 ${ms(first.p95)}. ${usage}`
  );
}

export function outboxTable(engines: EngineReport[]): string[] {
  const lines = [
    '## 6. Outbox: password answer to code email accepted',
    '',
    'Time from the answer of the password step (two-factor user) to the SMTP',
    'listener accepting the email with the code, p95; under the load of',
    'section 3, and one sign-in at a time. For scale: one message sent',
    'straight to the listener by nodemailer over a new connection takes ' +
      engines.map((e) => `${ms(e.listener.p50)} (p50, ${e.engine} pass)`).join(', ') +
      '; the listener (smtp-server) waits 100 ms before greeting a new',
    'connection, to catch clients that talk too early.',
    '',
    '| engine | when | target | result | verdict | why |',
    '|---|---|---|---|---|---|',
  ];
  for (const e of engines) {
    for (const [when, result] of [
      ['under two-factor load', e.twoFactor],
      ['one at a time', e.outboxAtRest],
    ] as const) {
      const p95 = percentile(result.outboxMs, 95);
      const met = p95 < TARGETS.outboxP95Ms && result.failed === 0;
      const phase = when === 'one at a time' ? 'outbox at rest' : 'two-factor sign-in';
      const why = met ? '' : outboxWhy(e, result, phase);
      lines.push(
        `| ${e.engine} | ${when} | p95 < ${TARGETS.outboxP95Ms} ms | p95 ` +
          `${ms(p95)}, p50 ${ms(median(result.outboxMs))} ` +
          `(${result.outboxMs.length} mails) | ${verdict(met)} | ${why} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

/**
 * Against the same mail at rest: what the load added is waiting (for the
 * sender's next round, behind other codes, for a core), shown with the
 * phase's CPU so a reader can tell which.
 */
function outboxWhy(
  e: EngineReport,
  result: EngineReport['twoFactor'],
  phase: string,
): string {
  const atRest = median(e.outboxAtRest.outboxMs);
  const underLoad = median(result.outboxMs);
  return (
    `At rest a code email takes p50 ${ms(atRest)}; here ${ms(underLoad)}, ` +
    `with ${result.completed} sign-ins in ${result.seconds.toFixed(1)} s: ` +
    'the difference is time spent waiting in the outbox and for the CPU. ' +
    cpu(e.usage[phase]) +
    serverErrors(e, phase)
  );
}

export function memoryTable(engines: EngineReport[]): string[] {
  return [
    '## 7. Memory of the Callvault process',
    '',
    'Resident set (VmRSS from /proc) at idle after seeding and warm-up, and',
    'the largest value sampled every 100 ms during the load phases. No',
    'target was set.',
    '',
    '| engine | idle | peak under load |',
    '|---|---|---|',
    ...engines.map((e) => `| ${e.engine} | ${mib(e.memory.idle)} | ${mib(e.memory.peak)} |`),
    '',
  ];
}

export function logTable(engines: EngineReport[]): string[] {
  const lines = [
    '## 8. Server log',
    '',
    'What Callvault logged at LOG_LEVEL=warn during each pass (pino JSON,',
    'redacted by the server; first distinct messages, with counts).',
    '',
    '| engine | warnings | errors | messages |',
    '|---|---|---|---|',
  ];
  for (const e of engines) {
    const messages = [...e.serverLog.messages]
      .map(([text, count]) => `${count} × ${text.replaceAll('|', '\\|')}`)
      .join('<br>');
    lines.push(
      `| ${e.engine} | ${e.serverLog.warnings} | ${e.serverLog.errors} | ` +
        `${messages || 'none'} |`,
    );
  }
  lines.push('');
  return lines;
}
