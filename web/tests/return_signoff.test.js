// Signing off the quarterly Speak Up return and marking it as sent, in a real browser: the
// guardian's home card follows the return, each step comes back to the return with a
// banner, a sign-off over figures that have since changed says so, and axe and the reflow
// check run on every state of the page. The executive reads the sign-off without being
// offered any step, and the steps work with JavaScript off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** Today as every page writes dates: "4 December 2026" (the server keeps days in UTC). */
const today = new Date().toLocaleDateString('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
});

const main = (page) => page.locator('main').innerText();
/** The banner's words, checking it is where the page opens, not scrolled out of sight. */
async function banner(page) {
  const box = page.locator('.nhsuk-notification-banner');
  const top = await box.evaluate((element) => element.getBoundingClientRect().top);
  const height = page.viewportSize()?.height ?? 720;
  if (top < 0 || top > height) throw new Error(`the banner is out of sight (top ${top}) on ${page.url()}`);
  return box.innerText();
}

test('a guardian signs off the return, then marks it as sent', async () => {
  const guardian = await newPage(browser);
  await signInWithSecondStep(guardian, server.url, 'guardian@demo.nhs.uk');
  assert.equal(new URL(guardian.url()).pathname, '/home');
  assert.match(await main(guardian), /Return for \w+ to \w+ \d{4}: not signed off/);
  await checkAccessibility(guardian, assert);

  // The card links to the return of the last quarter to end.
  await guardian.click('a:has-text("Return for")');
  assert.match(await guardian.locator('h1').innerText(), /quarterly return/i);
  assert.match(await main(guardian), /That is the last quarter to end/);
  assert.equal(await guardian.locator('#sign-off h2').innerText(), 'Sign off this return');
  assert.equal(await guardian.locator('button:has-text("Mark as sent")').count(), 0);
  await checkAccessibility(guardian, assert);

  await guardian.click('button:has-text("Sign off this return")');
  assert.match(guardian.url(), /[?&]done=signed-off$/);
  assert.match(await banner(guardian), /Return signed off/);
  const signed = await guardian.locator('#sign-off').innerText();
  assert.ok(signed.includes(`Signed off by Gina Guardian on ${today}.`), signed);
  assert.doesNotMatch(signed, /@demo\.nhs\.uk/, 'names, never addresses');
  await checkAccessibility(guardian, assert);
  // Reloading shows the page again and repeats nothing.
  await guardian.reload();
  assert.ok((await guardian.locator('#sign-off').innerText()).includes('Signed off by Gina Guardian'));

  await guardian.goto(`${server.url}/home`);
  assert.match(await main(guardian), /Return for \w+ to \w+ \d{4}: signed off, not sent yet/);
  await guardian.goBack();

  // When the figures are no longer the ones signed off (a case recorded late; the Rust
  // tests do that for real), the page says so and offers only to withdraw.
  server.changeDatabase("UPDATE speakup_return_signoffs SET figures_digest = 'other figures'");
  await guardian.reload();
  const changed = await guardian.locator('#sign-off').innerText();
  assert.ok(changed.includes(`Figures have changed since this return was signed off on ${today}.`), changed);
  assert.equal(await guardian.locator('button:has-text("Mark as sent")').count(), 0);
  await checkAccessibility(guardian, assert);
  await guardian.click('button:has-text("Withdraw sign-off")');
  assert.match(await banner(guardian), /Sign-off withdrawn/);
  await checkAccessibility(guardian, assert);
  await guardian.click('button:has-text("Sign off this return")');
  assert.match(await banner(guardian), /Return signed off/);
  assert.doesNotMatch(await guardian.locator('#sign-off').innerText(), /Figures have changed/);

  await guardian.click('button:has-text("Mark as sent to the National Guardian\'s Office")');
  assert.match(guardian.url(), /[?&]done=sent$/);
  assert.match(await banner(guardian), /Return marked as sent to the National Guardian's Office/);
  const sent = await guardian.locator('#sign-off').innerText();
  assert.ok(sent.includes(`Sent on ${today} by Gina Guardian.`), sent);
  assert.equal(await guardian.locator('#sign-off form').count(), 0, 'sent is final');
  await checkAccessibility(guardian, assert);

  await guardian.goto(`${server.url}/home`);
  assert.match(await main(guardian), /Return for \w+ to \w+ \d{4}: sent to the National Guardian's Office/);
  await checkAccessibility(guardian, assert);

  // The board reads who signed off and sent it, and is offered no step.
  const exec = await newPage(browser);
  await signInWithSecondStep(exec, server.url, 'exec@demo.nhs.uk');
  await exec.goto(`${server.url}/orgs/DEMO1/speak-up/return`);
  const read = await exec.locator('#sign-off').innerText();
  assert.ok(read.includes(`Sent on ${today} by Gina Guardian.`), read);
  assert.equal(await exec.locator('#sign-off form').count(), 0);
  await checkAccessibility(exec, assert);
});

test('signing off, withdrawing and signing off again work with JavaScript turned off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await signInWithSecondStep(plain, server.url, 'guardian@demo.nhs.uk');
  assert.equal(new URL(plain.url()).pathname, '/home', 'signed in');
  // The quarter before the last, which the first test left alone.
  await plain.goto(`${server.url}/orgs/DEMO1/speak-up/return`);
  const quarters = await plain.locator('#quarter option').evaluateAll((options) => options.map((o) => o.value));
  // The picker lists only quarters that have ended, newest first.
  const earlier = quarters[1];
  await plain.goto(`${server.url}/orgs/DEMO1/speak-up/return?quarter=${earlier}`);
  await plain.click('button:has-text("Sign off this return")');
  assert.match(await plain.locator('.nhsuk-notification-banner').innerText(), /Return signed off/);
  await plain.click('button:has-text("Withdraw sign-off")');
  assert.match(plain.url(), new RegExp(`quarter=${earlier}&done=withdrawn`));
  assert.match(await plain.locator('.nhsuk-notification-banner').innerText(), /Sign-off withdrawn/);
  assert.equal(await plain.locator('#sign-off h2').innerText(), 'Sign off this return');
  await plain.click('button:has-text("Sign off this return")');
  assert.match(await plain.locator('#sign-off').innerText(), /Signed off by Gina Guardian/);
  await context.close();
});
