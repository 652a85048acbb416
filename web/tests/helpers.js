// Shared set-up for the browser tests: a real Dignity demo server on a free port, real
// headless Chromium, and axe-core run on every page a test visits.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '..');
const repoDir = resolve(webDir, '..');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DEMO_PASSPHRASE = 'demo respect at work';

/**
 * The demo server and the browser of the test file that calls `useServerAndBrowser()`:
 * started before its tests and stopped after them. Node runs each test file in a process
 * of its own, so each file has its own; read them inside tests (they are set once the
 * file's `before` has run).
 */
export let server;
export let browser;

export function useServerAndBrowser() {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts `dignity demo` on a fresh SQLite file. `settings(url)` may give the text of a
 * dignity.toml for it (it is told the server's address first), `env` more variables and
 * `port` the port, when something must know it first.
 */
export async function startServer({ settings, env = {}, port: chosenPort } = {}) {
  const bin = process.env.DIGNITY_TEST_BIN ?? join(repoDir, 'target', 'debug', 'dignity');
  const dir = mkdtempSync(join(tmpdir(), 'dignity-browser-'));
  const port = chosenPort ?? await freePort();
  if (settings) writeFileSync(join(dir, 'dignity.toml'), settings(`http://127.0.0.1:${port}`));
  const child = spawn(bin, ['demo'], {
    cwd: dir,
    env: {
      ...process.env,
      DIGNITY_DATABASE_URL: `sqlite://${join(dir, 'demo.db')}`,
      DIGNITY_BIND: `127.0.0.1:${port}`,
      DIGNITY_WEB_DIR: webDir,
      DIGNITY_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`dignity demo stopped early:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok && output.includes('Dignity is running')) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    /** Everything the server has printed so far (its logs go to stderr). */
    logs: () => output,
    /** A booking's token, as the booking's email would carry it. The demo sends no email,
     *  and the page after booking links to no booking, so it is read from the database. */
    bookingToken(email) {
      const query = 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('
        + '"SELECT token FROM event_bookings WHERE email = ?", (sys.argv[2],)).fetchone()[0])';
      return execFileSync('python3', ['-c', query, join(dir, 'demo.db'), email], { encoding: 'utf8' }).trim();
    },
    /** Runs one SQL statement on the demo's database, for a state no page reaches in a
     *  test's time (a return's figures changing after its sign-off, say). */
    changeDatabase(sql, ...params) {
      const script = 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); '
        + 'c.execute(sys.argv[2], sys.argv[3:]); c.commit()';
      execFileSync('python3', ['-c', script, join(dir, 'demo.db'), sql, ...params]);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/**
 * A page that fails the test on any console error (a CSP violation shows up as one) and
 * checks accessibility with axe after every navigation the test asks it to check.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    // A page answered with 404 or 422 on purpose logs "Failed to load resource"; broken
    // assets are caught by the response check below instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      problems.push(`asset ${response.url()} answered ${response.status()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // Moving to the next page cancels loads still in flight (such as the favicon); that
    // is the browser's doing, not a broken asset.
    const reason = request.failure()?.errorText ?? '';
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} (${reason})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.problems = problems;
  return page;
}

/** Runs axe-core on the current page for WCAG 2.x A and AA (2.0, 2.1 and 2.2 rules). */
export async function checkAccessibility(page, assert) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
  }));
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(violations, [], `accessibility problems on ${page.url()}`);
  assert.deepEqual(page.problems, [], `browser errors on ${page.url()}`);
  await checkReflow(page, assert);
}

/** WCAG 1.4.10 reflow: the page never scrolls sideways at a phone's, a tablet's or a
 * desktop's width (wide tables scroll inside their own box). Checked on every page the
 * accessibility check sees, then the page's own width is put back. */
export async function checkReflow(page, assert) {
  const before = page.viewportSize();
  const overflowing = [];
  for (const width of [320, 768, 1280]) {
    await page.setViewportSize({ width, height: before ? before.height : 800 });
    // The header's script lays its menu out again a moment after a resize.
    await page.waitForTimeout(250);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 1) overflowing.push(`${width} px: ${wide} px too wide`);
  }
  if (before) await page.setViewportSize(before);
  assert.deepEqual(overflowing, [], `sideways scrolling on ${page.url()}`);
}

/** The current 6-digit code for a second-step secret, the demo's by default (RFC 6238,
 * SHA-1, 30 s). */
export function totpCode(offsetSteps = 0, secret = DEMO_TOTP_SECRET) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offsetSteps));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

/** Signs in an account that has the second step. Earlier tests may have used this time
 * step's codes for the same account, so if both codes near now are refused, it waits for
 * the next step. */
export async function signInWithSecondStep(page, baseUrl, email) {
  await signIn(page, baseUrl, email);
  for (const offset of [0, 1, 'next']) {
    if (new URL(page.url()).pathname !== '/sign-in/two-factor') break;
    if (offset === 'next') await new Promise((r) => setTimeout(r, 30_500 - (Date.now() % 30_000)));
    await page.fill('#code', totpCode(offset === 'next' ? 1 : offset));
    await submit(page);
  }
}

/**
 * Clicks the form's submit button and waits for the page it leads to. The click alone can
 * return before the new page has come (a busy machine signs in slowly), and the URL read
 * then is still the old one: a sign-in once stopped short so.
 */
async function submit(page) {
  await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
}

export async function signIn(page, baseUrl, email) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#passphrase', DEMO_PASSPHRASE);
  await submit(page);
}
