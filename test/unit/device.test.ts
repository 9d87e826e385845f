/** Browser and system in people's words, from a session's user agent. */
import { describe, expect, it } from 'vitest';
import { describeDevice, deviceName } from '../../src/server/account/device.ts';

describe('describeDevice', () => {
  it('names the browser with its major version and the system', () => {
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like ' +
      'Gecko) Chrome/140.0.7339.80 Safari/537.36';
    expect(describeDevice(chrome)).toEqual({ browser: 'Chrome 140', system: 'Linux' });
  });

  it('says "Unknown" for a missing or meaningless user agent', () => {
    const unknown = { browser: 'Unknown browser', system: 'Unknown system' };
    expect(describeDevice(null)).toEqual(unknown);
    expect(describeDevice('<script>alert(1)</script>')).toEqual(unknown);
  });

  it('reads as one phrase', () => {
    expect(deviceName({ browser: 'Firefox 128', system: 'Windows 10' })).toBe(
      'Firefox 128 on Windows 10',
    );
  });
});
