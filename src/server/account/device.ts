/**
 * Browser and system in words a person recognises, from a session's user
 * agent: "Chrome 140" on "Linux". A user agent is whatever the client
 * claims, so this helps the owner tell sessions apart; it proves nothing.
 */
import { UAParser } from 'ua-parser-js';

export interface Device {
  browser: string;
  system: string;
}

/** The browser and system a user agent names, or "Unknown …". */
export function describeDevice(userAgent: string | null): Device {
  const { browser, os } = UAParser(userAgent ?? '');
  return {
    browser: joinWords(browser.name, browser.major) || 'Unknown browser',
    system: joinWords(os.name, os.version) || 'Unknown system',
  };
}

/** "Chrome on Linux", as one phrase for a sentence or a button's name. */
export function deviceName(device: Device): string {
  return `${device.browser} on ${device.system}`;
}

function joinWords(...words: Array<string | undefined>): string {
  return words.filter((word) => word !== undefined && word !== '').join(' ');
}
