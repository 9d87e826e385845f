/**
 * What Callvault logged during a pass (LOG_LEVEL=warn, so warnings and
 * errors only): counted, with the first few distinct messages kept for
 * the report. Lines are pino's JSON, already redacted by the server; only
 * the event name, message and error message and code are read.
 */

/** Distinct messages kept; the rest are only counted. */
const KEEP = 5;

export class ServerLog {
  warnings = 0;
  errors = 0;
  readonly messages = new Map<string, number>();

  /** For startTypeScript's onLine. */
  readonly hear = (line: string): void => {
    let entry: {
      level?: number;
      event?: string;
      msg?: string;
      err?: { message?: string; code?: string };
    };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return; // The start-up banner, not a log line.
    }
    const level = entry.level ?? 0;
    if (level < 40) return;
    if (level >= 50) this.errors += 1;
    else this.warnings += 1;

    const text = [
      level >= 50 ? 'error' : 'warn',
      entry.event,
      entry.err?.code,
      (entry.err?.message ?? entry.msg)?.split('\n')[0]?.slice(0, 160),
    ]
      .filter(Boolean)
      .join(': ');
    if (this.messages.has(text) || this.messages.size < KEEP) {
      this.messages.set(text, (this.messages.get(text) ?? 0) + 1);
    }
  };
}
