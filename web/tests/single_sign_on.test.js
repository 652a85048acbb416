// Signing in through an organisation's own identity provider: a real OpenID provider
// (oidc-provider) on loopback, Dignity configured to use it for DEMO1, real Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEMO_PASSPHRASE, checkAccessibility, freePort, launchBrowser, newPage, startServer, totpCode,
} from './helpers.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider } from './oidc_provider.js';

let server;
let provider;
let browser;

before(async () => {
  const port = await freePort();
  provider = await startProvider(`http://127.0.0.1:${port}`);
  const secretFile = join(mkdtempSync(join(tmpdir(), 'dignity-sso-')), 'client.secret');
  writeFileSync(secretFile, `${CLIENT_SECRET}\n`);
  server = await startServer({
    port,
    settings: () => `
[[sign_in_providers]]
organisation = "DEMO1"
label = "your Demo Trust account"
issuer = "${provider.issuer}"
client_id = "${CLIENT_ID}"
client_secret_file = "${secretFile}"
email_domains = ["demo.nhs.uk"]
mfa_amr = ["mfa"]

[sign_in_providers.groups]
"dignity-guardians" = "guardian"
"dignity-union" = "union_partner"
`,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.stop();
});

/** A page for these tests: the provider's own pages ask for a web font, which this
 * machine cannot fetch; it is given an empty one so that no request fails. */
async function newSignInPage() {
  const page = await newPage(browser);
  await page.context().route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  return page;
}

/** Through the provider's own pages (its sign-in form when it has no session, then its
 * consent the first time) until it sends the browser back to Dignity. */
async function passProvider(page, account) {
  for (let step = 0; step < 3 && new URL(page.url()).origin === provider.issuer; step += 1) {
    if (await page.locator('input[name=login]').count()) {
      await page.fill('input[name=login]', account);
      await page.fill('input[name=password]', 'anything');
    }
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  assert.equal(new URL(page.url()).origin, server.url, 'back at Dignity');
}

/** From Dignity's sign-in page through the provider and back. */
async function signInThroughProvider(page, account) {
  await page.goto(`${server.url}/sign-in`);
  await Promise.all([
    page.waitForNavigation(),
    page.click('button:has-text("Sign in with your Demo Trust account")'),
  ]);
  await passProvider(page, account);
}

async function signOut(page) {
  await page.click('.nhsuk-header__account-form button');
  // The provider asks before it ends its own session.
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.click('button[value=yes]');
  await page.waitForURL((url) => url.origin === server.url && url.pathname === '/signed-out');
}

test('the sign-in page offers the organisation\'s own service first', async () => {
  const page = await newSignInPage();
  await page.goto(`${server.url}/sign-in`);
  const buttons = await page.locator('main button[type=submit]').allInnerTexts();
  assert.equal(buttons[0].trim(), 'Sign in with your Demo Trust account');
  assert.match(await page.locator('main').innerText(), /Sign in with a passphrase/);
  await checkAccessibility(page, assert);
  await page.context().close();
});

test('a first sign-in makes the account; groups give roles and take them away at the next sign-in', async () => {
  provider.accounts.set('alex', { email: 'alex.new@demo.nhs.uk', name: 'Alex New', groups: [] });
  const page = await newSignInPage();
  await signInThroughProvider(page, 'alex');
  await page.goto(`${server.url}/`);
  assert.match(await page.locator('header').innerText(), /Alex New/);
  await checkAccessibility(page, assert);

  // A union partner's group: the role arrives at the next sign-in.
  provider.accounts.set('alex', { email: 'alex.new@demo.nhs.uk', name: 'Alex New', groups: ['dignity-union'] });
  await signOut(page);
  await signInThroughProvider(page, 'alex');
  await page.goto(`${server.url}/home`);
  assert.match(await page.locator('main').innerText(), /Trade union partner/);

  // Out of the group: the role goes at the next sign-in.
  provider.accounts.set('alex', { email: 'alex.new@demo.nhs.uk', name: 'Alex New', groups: [] });
  await signOut(page);
  await signInThroughProvider(page, 'alex');
  await page.goto(`${server.url}/home`);
  assert.doesNotMatch(await page.locator('main').innerText(), /Trade union partner/);
  assert.match(await page.locator('main').innerText(), /Staff member/);
  await page.context().close();
});

/** Sends an anonymous concern to DEMO1's guardians, as anyone could. */
async function sendConcern(text) {
  const reporter = await newPage(browser);
  await reporter.goto(`${server.url}/speak-up/DEMO1`);
  await reporter.check('#identity-anonymous');
  await reporter.fill('#what_happened', text);
  await reporter.check('#patient_safety-no');
  await reporter.click('button:has-text("Send my concern")');
  assert.match((await reporter.locator('.dignity-receipt').innerText()).trim(), /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
  await reporter.context().close();
}

test('a new guardian who never had a passphrase sets up the second factor, locks a case key and reads a case', async () => {
  provider.accounts.set('gail', { email: 'gail.new@demo.nhs.uk', name: 'Gail New', groups: ['dignity-guardians'] });
  const page = await newSignInPage();
  await signInThroughProvider(page, 'gail');
  // The provider said nothing of a second factor, and a guardian needs one.
  assert.equal(new URL(page.url()).pathname, '/sign-in/two-factor/set-up');
  const secret = await page.locator('input[name=secret]').inputValue();
  await page.fill('#code', totpCode(0, secret));
  await page.click('button[type=submit]');
  await page.goto(`${server.url}/home`);
  assert.match(await page.locator('main').innerText(), /Freedom to Speak Up Guardian/);
  await page.click('a:has-text("Speak Up cases")');
  assert.match(await page.locator('main').innerText(), /Your cases are locked/);
  await page.click('main a:has-text("Enter your passphrase")');
  // She has no passphrase: she chooses one that only locks her case key.
  assert.match(await page.locator('h1').innerText(), /Choose a passphrase to lock your cases/);
  await checkAccessibility(page, assert);
  await page.fill('#passphrase', 'three random words');
  await page.fill('#again', 'three other words');
  await page.click('button:has-text("Lock and open cases")');
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /not the same/);
  await checkAccessibility(page, assert);
  await page.fill('#passphrase', 'three random words');
  await page.fill('#again', 'three random words');
  await page.click('button:has-text("Lock and open cases")');

  // A concern sent now is sealed to her key too, and she reads it.
  await sendConcern('My manager shouts at the newest staff in front of patients.');
  await page.goto(`${server.url}/orgs/DEMO1/speak-up`);
  await page.click('table a:has-text("Concern")');
  assert.match(await page.locator('h1').innerText(), /^Concern \d+$/);
  assert.match(await page.locator('main').innerText(), /shouts at the newest staff/);

  // Her passphrase opens cases only: it does not sign her in.
  const other = await newSignInPage();
  await other.goto(`${server.url}/sign-in`);
  await other.fill('#email', 'gail.new@demo.nhs.uk');
  await other.fill('#passphrase', 'three random words');
  await other.click('main button:has-text("Sign in") >> nth=-1');
  assert.match(await other.locator('main').innerText(), /Sign in with your organisation's service instead/);
  await other.context().close();

  // Signing out ends Dignity's session and the provider's: the provider asks who she is
  // again.
  await signOut(page);
  await page.goto(`${server.url}/home`);
  assert.doesNotMatch(await page.locator('header').innerText(), /Gail New/);
  await page.goto(`${server.url}/sign-in`);
  await Promise.all([
    page.waitForNavigation(),
    page.click('button:has-text("Sign in with your Demo Trust account")'),
  ]);
  assert.equal(new URL(page.url()).origin, provider.issuer);
  assert.equal(await page.locator('input[name=login]').count(), 1, 'the provider has no session');
  await page.context().close();
});

test('someone who already has a passphrase joins their work account themselves, signed in', async () => {
  provider.accounts.set('gina', { email: 'guardian@demo.nhs.uk', name: 'Gina Guardian', groups: [] });
  const page = await newSignInPage();
  // The provider's word on her address is not enough to take over her account.
  await signInThroughProvider(page, 'gina');
  assert.match(await page.locator('main').innerText(), /You already have a Dignity account with this email address/);
  await checkAccessibility(page, assert);

  // Signed in with her passphrase and code, she joins it from her home page.
  await page.goto(`${server.url}/sign-in`);
  await page.fill('#email', 'guardian@demo.nhs.uk');
  await page.fill('#passphrase', DEMO_PASSPHRASE);
  await page.click('main button:has-text("Sign in") >> nth=-1');
  await page.fill('#code', totpCode());
  await page.click('button[type=submit]');
  await page.goto(`${server.url}/home`);
  await checkAccessibility(page, assert);
  await Promise.all([
    page.waitForNavigation(),
    page.click('button:has-text("Use my work account to sign in")'),
  ]);
  await passProvider(page, 'gina');
  assert.equal(new URL(page.url()).pathname, '/home');
  assert.doesNotMatch(await page.locator('main').innerText(), /Use my work account to sign in/);
  // Her guardian role was given by an administrator, not a group: no group takes it away.
  assert.match(await page.locator('main').innerText(), /Freedom to Speak Up Guardian/);

  // Joined, she signs in through the provider, not with her passphrase.
  const other = await newSignInPage();
  await other.goto(`${server.url}/sign-in`);
  await other.fill('#email', 'guardian@demo.nhs.uk');
  await other.fill('#passphrase', DEMO_PASSPHRASE);
  await other.click('main button:has-text("Sign in") >> nth=-1');
  assert.match(await other.locator('main').innerText(), /Sign in with your organisation's service instead/);
  await other.context().close();
  await page.context().close();
});

test('a sign-in answer used twice, or with the wrong state, is refused and makes nothing', async () => {
  provider.accounts.set('sam', { email: 'sam.replay@demo.nhs.uk', name: 'Sam Replay', groups: [] });
  const page = await newSignInPage();
  let callback;
  page.on('request', (request) => {
    if (request.url().startsWith(`${server.url}/sign-in/callback`)) callback = request.url();
  });
  await signInThroughProvider(page, 'sam');
  assert.ok(callback, 'the provider sent the browser back');
  // The same answer again, in the same browser: the waiting sign-in is gone.
  const again = await page.goto(callback);
  assert.equal(again.status(), 400);
  assert.match(await page.locator('main').innerText(), /has ended or was already used/);
  await checkAccessibility(page, assert);
  // A fresh sign-in whose state is changed on the way back. The provider still has a
  // session, so it answers at once; its answer is followed by hand to change it.
  const csrf = (await page.context().cookies()).find((c) => c.name.endsWith('dignity_csrf'))?.value ?? '';
  const sent = await page.request.post(`${server.url}/sign-in/provider`, {
    form: { csrf_token: csrf, organisation: 'DEMO1', next: '/home' },
    maxRedirects: 0,
  });
  let location = sent.headers().location;
  for (let hop = 0; hop < 5 && !location.startsWith(server.url); hop += 1) {
    const answer = await page.request.get(location, { maxRedirects: 0 });
    location = new URL(answer.headers().location, location).toString();
  }
  const genuine = new URL(location);
  assert.equal(genuine.pathname, '/sign-in/callback');
  const tampered = new URL(genuine);
  tampered.searchParams.set('state', 'not-the-state-that-was-sent');
  const refused = await page.goto(tampered.toString());
  assert.equal(refused.status(), 400);
  assert.match(await page.locator('main').innerText(), /has ended or was already used/);
  // The refusal used the waiting sign-in up: the genuine answer is refused after it.
  assert.equal((await page.goto(genuine.toString())).status(), 400);
  await page.context().close();
});

test('a provider that is down gives a clear page, and passphrase sign-in still works', async () => {
  const page = await newSignInPage();
  await page.goto(`${server.url}/sign-in`);
  // Sent to the provider (its address is kept from earlier sign-ins)...
  const csrf = (await page.context().cookies()).find((c) => c.name.endsWith('dignity_csrf'))?.value ?? '';
  const sent = await page.request.post(`${server.url}/sign-in/provider`, {
    form: { csrf_token: csrf, organisation: 'DEMO1', next: '/' },
    maxRedirects: 0,
  });
  assert.equal(sent.status(), 303);
  const state = new URL(sent.headers().location).searchParams.get('state');
  // ...which goes down before Dignity can swap the code for tokens.
  await provider.stop();
  provider = null;
  const back = await page.goto(`${server.url}/sign-in/callback?code=a-code&state=${state}`);
  assert.equal(back.status(), 503);
  assert.match(await page.locator('main').innerText(), /did not answer\. Try again in a few minutes/);
  await checkAccessibility(page, assert);

  await page.goto(`${server.url}/sign-in`);
  await page.fill('#email', 'staff@demo.nhs.uk');
  await page.fill('#passphrase', DEMO_PASSPHRASE);
  await page.click('button:has-text("Sign in") >> nth=-1');
  await page.goto(`${server.url}/`);
  assert.match(await page.locator('header').innerText(), /Sam Staff/);
  await page.context().close();
});
