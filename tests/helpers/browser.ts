/**
 * A system chromium for browser tests, driven by playwright-core (which brings no browser of
 * its own). ./scripts/test installs Debian's `chromium` when it is missing.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser'];
const FIXED_PATHS = ['/usr/bin/chromium'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The chromium binary: `chromium` or `chromium-browser` on PATH, else /usr/bin/chromium; null if none. */
export function findChromium(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return FIXED_PATHS.find(executable) ?? null;
}

/** Why browser tests can't run here (SELFREVIEW_BROWSER_TESTS=0, or no chromium); null when they can. */
export function browserSkipReason(): string | null {
  if (process.env.SELFREVIEW_BROWSER_TESTS === '0') return 'SELFREVIEW_BROWSER_TESTS=0';
  if (!findChromium()) return 'no chromium found (chromium, chromium-browser, /usr/bin/chromium)';
  return null;
}

/** A headless chromium; `--no-sandbox` because CI runs as root, where chromium's sandbox refuses to start. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no chromium found (chromium, chromium-browser, /usr/bin/chromium)');
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'], timeout: 30_000 });
}
