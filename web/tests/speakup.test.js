// Speaking up in a real browser: an anonymous concern, the guardian's reply, the reply
// read with the receipt code, closure and feedback. axe runs on every page, and the
// server's logs must hold no trace of the anonymous pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccessibility, launchBrowser, newPage, signIn, startServer, totpCode } from './helpers.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const REPORTER_AGENT = 'DignityReporter/1.0 (browser test)';

test('an anonymous concern, answered by a guardian, followed up with the receipt code', async () => {
  const reporter = await newPage(browser, { userAgent: REPORTER_AGENT, viewport: { width: 360, height: 800 } });
  await reporter.goto(`${server.url}/speak-up`);
  await checkAccessibility(reporter, assert);
  await reporter.click('a[href="/speak-up/DEMO1"]');
  await checkAccessibility(reporter, assert);

  // A mistake first: the error summary explains it.
  await reporter.click('button:has-text("Send my concern")');
  assert.match(await reporter.locator('.nhsuk-error-summary').innerText(), /Choose how you want to be known/);
  await checkAccessibility(reporter, assert);

  await reporter.check('#identity-anonymous');
  await reporter.fill('#what_happened', 'A senior nurse mocks newly qualified staff at handover.');
  await reporter.check('#patient_safety-no');
  await reporter.setInputFiles('#attachments', { name: 'my-handover-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Handover on Tuesday: the same again.') });
  await reporter.click('button:has-text("Send my concern")');
  const code = (await reporter.locator('.dignity-receipt').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
  await checkAccessibility(reporter, assert);
  const cookies = (await reporter.context().cookies()).map((c) => c.name);
  assert.deepEqual(cookies, ['dignity_csrf'], 'the reporter carries no cookie but the form token');

  // The guardian reads it and replies.
  const guardian = await newPage(browser);
  await signIn(guardian, server.url, 'guardian@demo.nhs.uk');
  await guardian.fill('#code', totpCode());
  await guardian.click('button[type=submit]');
  await guardian.click('a:has-text("Speak Up cases")');
  await checkAccessibility(guardian, assert);
  await guardian.click('table a:has-text("Concern")');
  // One name for a case: its title and heading agree.
  const heading = (await guardian.locator('h1').innerText()).trim();
  assert.match(heading, /^Concern \d+$/);
  assert.ok((await guardian.title()).startsWith(heading), await guardian.title());
  assert.match(await guardian.locator('main').innerText(), /mocks newly qualified staff/);
  assert.match(await guardian.locator('main').innerText(), /Download attachment-1\.txt/);
  await checkAccessibility(guardian, assert);
  await guardian.fill('#message', 'Thank you for telling us. Is this happening on every shift?');
  await guardian.click('button:has-text("Send message")');

  // The reporter reads the reply with the code and answers.
  await reporter.goto(`${server.url}/speak-up/follow-up`);
  await checkAccessibility(reporter, assert);
  await reporter.fill('#code', code.toLowerCase());
  await reporter.click('button:has-text("Continue")');
  assert.match(await reporter.locator('main').innerText(), /Is this happening on every shift\?/);
  // The guardian's first reply shows the concern has been read.
  assert.match(await reporter.locator('main').innerText(), /A guardian has read your concern/);
  await checkAccessibility(reporter, assert);
  await reporter.fill('#message', 'Mostly on night shifts.');
  await reporter.click('button:has-text("Send message")');
  assert.match(await reporter.locator('main').innerText(), /Your message has been sent/);
  // Sent once, then redirected: reloading cannot send it again, and the code is not kept.
  assert.match(reporter.url(), /\/speak-up\/follow-up\?sent=message$/);
  await reporter.reload();
  assert.match(await reporter.locator('main').innerText(), /Your message has been sent/);
  await checkAccessibility(reporter, assert);

  // The guardian closes the case with an outcome.
  await guardian.reload();
  assert.match(await guardian.locator('main').innerText(), /Mostly on night shifts/);
  assert.equal((await guardian.locator('main').innerText()).split('Mostly on night shifts').length, 2, 'the reply arrived once');
  await guardian.fill('#outcome', 'The ward manager is now running handovers and checking in with new staff.');
  await guardian.click('button:has-text("Close case")');
  assert.match(await guardian.locator('main').innerText(), /Detriment check/);
  await checkAccessibility(guardian, assert);

  // The reporter sees the outcome and says whether they would speak up again.
  await reporter.goto(`${server.url}/speak-up/follow-up`);
  await reporter.fill('#code', code);
  await reporter.click('button:has-text("Continue")');
  assert.match(await reporter.locator('main').innerText(), /running handovers/);
  await checkAccessibility(reporter, assert);
  await reporter.check('#answer');
  await reporter.click('button:has-text("Send feedback")');
  assert.match(await reporter.locator('main').innerText(), /Thank you for your feedback/);
  await reporter.reload();
  assert.match(await reporter.locator('main').innerText(), /Thank you for your feedback/);

  // Counts for the board and the nation: accessible charts and tables, no content.
  for (const [path, heading] of [['/orgs/DEMO1/speak-up/return', /quarterly return/i], ['/orgs/DEMO1/speak-up/trends', /trends/i]]) {
    await guardian.goto(server.url + path);
    assert.match(await guardian.locator('h1').innerText(), heading);
    if (path.endsWith('/return')) {
      assert.match(await guardian.locator('main').innerText(), /This is the return for .*That is the last quarter to end/s);
    }
    assert.doesNotMatch(await guardian.locator('main').innerText(), /mocks newly qualified/);
    await checkAccessibility(guardian, assert);
  }
  const analyst = await newPage(browser);
  await signIn(analyst, server.url, 'analyst@demo.nhs.uk');
  await analyst.fill('#code', totpCode());
  await analyst.click('button[type=submit]');
  await analyst.click('a:has-text("Speaking up across organisations")');
  assert.match(await analyst.locator('main').innerText(), /Northfield Hospitals/);
  await checkAccessibility(analyst, assert);

  // The logs show the guardian's work but nothing from the anonymous pages.
  const logs = server.logs();
  assert.match(logs, /route=\/orgs\/\{ods\}\/speak-up/, 'request logging is on');
  assert.doesNotMatch(logs, /route=\/speak-up/);
  assert.ok(!logs.includes('DignityReporter'), 'no user agent in the logs');
  assert.ok(!logs.includes('mocks newly qualified'), 'no content in the logs');
});
