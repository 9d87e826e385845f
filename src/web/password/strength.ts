/**
 * Password strength, estimated in the browser with zxcvbn-ts as a hint
 * while typing. The server makes the real decision; this only helps a
 * person pick a good password before they press Save.
 *
 * The dictionaries weigh about a megabyte, so they load on first use
 * instead of slowing every page of the app.
 */
import type { Score, ZxcvbnFactory } from '@zxcvbn-ts/core';

export interface Strength {
  score: Score;
  /** A sentence about the weakest part of the password, if any. */
  warning: string | null;
}

/** zxcvbn-ts names its warnings by key; these are the words we show. */
const WARNINGS: Record<string, string> = {
  straightRow: 'A row of keys on the keyboard is easy to guess.',
  keyPattern: 'A short keyboard pattern is easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated groups like "abcabc" are easy to guess.',
  sequences: 'Sequences like "abc" or "6543" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the most used passwords.',
  topHundred: 'This is a very often used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is close to a commonly used password.',
  wordByItself: 'A single word is easy to guess.',
  namesByThemselves: 'Names on their own are easy to guess.',
  commonNames: 'Common names are easy to guess.',
  userInputs: 'It should not hold your name or email address.',
};

let checker: Promise<ZxcvbnFactory> | null = null;

function loadChecker(): Promise<ZxcvbnFactory> {
  checker ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
  ]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({
        dictionary: common.dictionary,
        graphs: common.adjacencyGraphs,
        useLevenshteinDistance: true,
      }),
  );

  // A failed download may succeed on the next keystroke.
  checker.catch(() => {
    checker = null;
  });
  return checker;
}

/** Estimates how hard `password` is to guess, given the person's details. */
export async function estimateStrength(
  password: string,
  userInputs: string[],
): Promise<Strength> {
  const zxcvbn = await loadChecker();
  const result = await zxcvbn.checkAsync(password, userInputs);
  const key = result.feedback.warning;

  return {
    score: result.score,
    warning: key === null ? null : (WARNINGS[key] ?? null),
  };
}
