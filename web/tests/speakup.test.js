// Speaking up in a real browser: an anonymous concern, the guardian's reply, the reply
// read with the receipt code, closure and feedback. axe runs on every page, and the
// server's logs must hold no trace of the anonymous pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, totpCode, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

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
  // Reloading the receipt makes the browser send the form again: refused, so there is
  // still one case and one receipt code.
  await reporter.reload();
  assert.match(await reporter.locator('main').innerText(), /already been sent, so it was not sent again/);
  assert.equal(await reporter.locator('.dignity-receipt').count(), 0);
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
  // Back on the case, told what happened; reloading repeats nothing.
  const casePath = new URL(guardian.url()).pathname;
  assert.match(guardian.url(), /\?done=message$/);
  assert.match(await guardian.locator('.nhsuk-notification-banner').innerText(), /Message sent/);
  await guardian.reload();
  assert.equal((await guardian.locator('main').innerText()).split('Is this happening on every shift?').length, 2, 'the message was sent once');

  // The reporter reads the reply with the code and answers.
  await reporter.goto(`${server.url}/speak-up/follow-up`);
  await checkAccessibility(reporter, assert);
  await reporter.fill('#code', code.toLowerCase());
  await reporter.click('button:has-text("Continue")');
  assert.match(await reporter.locator('main').innerText(), /Is this happening on every shift\?/);
  // Their own file is in their conversation, by the name the guardian sees.
  assert.match(await reporter.locator('main').innerText(), /You sent a file with your concern\. The guardian sees it as attachment-1\.txt\./);
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
  await guardian.click('nav a:has-text("Close the case")');
  assert.equal(new URL(guardian.url()).pathname, `${casePath}/close`);
  await checkAccessibility(guardian, assert);
  await guardian.fill('#outcome', 'The ward manager is now running handovers and checking in with new staff.');
  await guardian.click('button:has-text("Close case")');
  assert.match(await guardian.locator('.nhsuk-notification-banner').innerText(), /Case closed/);
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

/** The case the test below works on, for the list test after it. */
let workedCase;

/** The page's full height and whether anything runs past its right edge. */
async function measure(page) {
  return page.evaluate(() => ({
    height: document.documentElement.scrollHeight,
    sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  }));
}

test('a guardian works a case on short pages, each change confirmed, at 320 px too', async () => {
  // A new concern to work on, sent as the reporter would.
  const reporter = await newPage(browser);
  await reporter.goto(`${server.url}/speak-up/DEMO1`);
  await reporter.check('#identity-anonymous');
  await reporter.fill('#what_happened', 'My team leader reads out our sickness absences in the staff meeting.');
  await reporter.check('#patient_safety-no');
  await reporter.click('button:has-text("Send my concern")');
  await reporter.locator('.dignity-receipt').waitFor();

  for (const width of [1280, 320]) {
    const guardian = await newPage(browser, { viewport: { width, height: 800 } });
    await signInWithSecondStep(guardian, server.url, 'guardian@demo.nhs.uk');
    await guardian.goto(`${server.url}/orgs/DEMO1/speak-up`);
    await guardian.click('table a:has-text("Concern") >> nth=-1');
    const casePath = new URL(guardian.url()).pathname;
    workedCase = casePath;
    // The case page was seven forms stacked about 4,500 px tall, the way back at the
    // bottom: now the conversation comes first and each other piece of work has a page.
    const { height, sideways } = await measure(guardian);
    // (At 320 px the card now also says what the person did not give: "Not given".)
    assert.ok(height < (width === 320 ? 3400 : 2000), `the case page is ${height} px tall at ${width} px`);
    assert.ok(!sideways, `the case page scrolls sideways at ${width} px`);
    assert.equal(await guardian.locator('main form').count(), 1, 'one form on the case: the message');
    const caseName = (await guardian.locator('h1').innerText()).trim();
    const order = await guardian.locator('main h2').allInnerTexts();
    assert.ok(order.indexOf('Conversation') < order.indexOf('Summary'), order.join(' / '));
    // Breadcrumbs on a wide screen, a back link on a phone: either way, above the heading.
    const back = guardian.locator('nav.nhsuk-breadcrumb a[href="/orgs/DEMO1/speak-up"]:visible').first();
    assert.ok((await back.boundingBox()).y < (await guardian.locator('h1').boundingBox()).y, 'the way back is at the top');
    await checkAccessibility(guardian, assert);

    for (const [link, fill, button, banner] of [
      ['Add a note', async () => guardian.fill('#note', `Noted at ${width}.`), 'Add note', /Note added/],
      ['Change the status', async () => guardian.check('#status'), 'Change status', /Status changed to/],
      ['Choose who looks after it', async () => guardian.selectOption('#guardian', { index: 1 }), 'Save guardian', /Case assigned to/],
      ['Record what it is about', async () => guardian.check('#elements'), 'Save elements', /Elements and professional group saved/],
      ['Record a referral', async () => { await guardian.fill('#referral', 'HR'); await guardian.fill('#referral_text', 'Asked for advice.'); }, 'Record referral', /Referral recorded/],
    ]) {
      await guardian.click(`nav[aria-label^="Pages of"] a:has-text("${link}")`);
      assert.equal(await guardian.locator('h1').innerText(), link);
      // The breadcrumbs name the case itself, not "Case".
      const upToCase = guardian.locator(`nav[aria-label="Breadcrumb"] ol a[href="${casePath}"]`);
      assert.equal((await upToCase.textContent()).trim(), caseName);
      const page = await measure(guardian);
      assert.ok(page.height < 2000, `${link} is ${page.height} px tall at ${width} px`);
      assert.ok(!page.sideways, `${link} scrolls sideways at ${width} px`);
      await checkAccessibility(guardian, assert);
      // A mistake first where the form can have one: explained on the same page.
      if (link === 'Add a note') {
        await guardian.click(`button:has-text("${button}")`);
        assert.match(await guardian.locator('.nhsuk-error-summary').innerText(), /Write a note/);
        assert.equal(await guardian.locator('h1').innerText(), link);
        await checkAccessibility(guardian, assert);
      }
      await fill();
      await guardian.click(`button:has-text("${button}")`);
      assert.equal(new URL(guardian.url()).pathname, casePath);
      const said = guardian.locator('.nhsuk-notification-banner');
      assert.match(await said.innerText(), banner);
      assert.equal(await said.getAttribute('role'), 'alert');
      // The design system's script moves focus to the banner, so it is read out first.
      assert.equal(await guardian.evaluate(() => document.activeElement?.classList.contains('nhsuk-notification-banner')), true);
      await checkAccessibility(guardian, assert);
    }
    // Reloading after the last change repeats nothing: one referral, and no form resent.
    await guardian.reload();
    assert.equal((await guardian.locator('main').innerText()).split('Asked for advice.').length, width === 320 ? 3 : 2);
    await guardian.context().close();
  }
  await reporter.context().close();
});

test('the case list filters and searches without JavaScript, from counts on the home page', async () => {
  assert.ok(workedCase, 'runs after the case test');
  const number = workedCase.split('/').pop();
  const guardian = await newPage(browser, { viewport: { width: 320, height: 800 } });
  guardian.setDefaultTimeout(15_000);
  await signInWithSecondStep(guardian, server.url, 'guardian@demo.nhs.uk');
  await guardian.goto(`${server.url}/home`);
  // The home page counts open and overdue cases, each a link to the list filtered to them.
  const openLink = guardian.locator('a:has-text("open case")').first();
  const open = Number((await openLink.innerText()).match(/^(\d+) open/)[1]);
  assert.ok(open >= 1, await openLink.innerText());
  await openLink.click();
  assert.match(guardian.url(), /\/orgs\/DEMO1\/speak-up\?status=open$/);
  assert.equal(await guardian.locator('#status').inputValue(), 'open');
  assert.equal(await guardian.locator('table tbody tr').count(), open, 'the count matches the list');
  assert.ok(!(await measure(guardian)).sideways, 'the case list scrolls sideways at 320 px');
  await checkAccessibility(guardian, assert);

  // Filters are a plain GET form: assigned to me (the case was assigned in the test above).
  await guardian.check('#mine');
  await guardian.click('button:has-text("Show cases")');
  assert.match(guardian.url(), /mine=yes/);
  assert.ok(await guardian.locator(`table a[href="${workedCase}"]`).count() === 1, 'the case assigned to me is listed');
  assert.match(await guardian.locator('main').innerText(), /Showing \d+ of \d+ cases/);
  await checkAccessibility(guardian, assert);

  // Search by number, as people type it.
  await guardian.click('a:has-text("Clear the filters")');
  await guardian.fill('#number', `Concern ${number}`);
  await guardian.click('button:has-text("Show cases")');
  const rows = guardian.locator('table tbody tr');
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.locator('a').first().getAttribute('href'), workedCase);
  // Whether the person has read the latest reply: nothing has been written to them yet.
  assert.match(await rows.innerText(), /Latest reply read\s*No reply yet/);
  assert.ok(!(await measure(guardian)).sideways);
  await checkAccessibility(guardian, assert);

  // A mistake is explained, with the error summary linking to the box.
  await guardian.fill('#number', 'the one from Tuesday');
  await guardian.click('button:has-text("Show cases")');
  assert.match(await guardian.locator('.nhsuk-error-summary').innerText(), /Enter a case number using numbers only/);
  assert.equal(await guardian.locator('.nhsuk-error-summary a').getAttribute('href'), '#number');
  await checkAccessibility(guardian, assert);

  // The same filters with JavaScript off: the form is all it takes.
  const cookies = await guardian.context().cookies();
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 800 } });
  await plain.addCookies(cookies);
  const noScript = await plain.newPage();
  noScript.setDefaultTimeout(15_000);
  await noScript.goto(`${server.url}/orgs/DEMO1/speak-up`);
  await noScript.fill('#number', number);
  await noScript.selectOption('#status', 'open');
  await noScript.click('button:has-text("Show cases")');
  assert.match(noScript.url(), new RegExp(`status=open.*number=${number}`));
  assert.equal(await noScript.locator('table tbody tr').count(), 1);
  await plain.close();
  await guardian.context().close();
});

// An outside review found the name and contact boxes shown whatever way of being known was
// chosen, and a name typed while anonymous silently dropped. Now they are revealed under
// open and confidential only (the design system's conditional radios), and a name typed
// while anonymous brings the form back saying it was taken out, before anything is sent.
// The guardian reads the choice in their own words, and finds the case by part of its number.
test('name boxes show only for open and confidential, and a name typed while anonymous is never sent', async () => {
  const reporter = await newPage(browser, { viewport: { width: 360, height: 800 } });
  await reporter.goto(`${server.url}/speak-up/DEMO1`);
  for (const id of ['#open_name', '#confidential_name', '#open_contact', '#confidential_contact']) {
    assert.equal(await reporter.locator(id).isVisible(), false, `${id} is hidden before a choice`);
  }
  await reporter.check('#identity-anonymous');
  assert.equal(await reporter.locator('#open_name').isVisible(), false);
  assert.equal(await reporter.locator('#confidential_name').isVisible(), false);
  await reporter.check('#identity-confidential');
  assert.equal(await reporter.locator('#confidential_name').isVisible(), true, 'confidential shows its name box');
  assert.equal(await reporter.locator('#confidential_contact').isVisible(), true);
  assert.equal(await reporter.locator('#open_name').isVisible(), false);
  assert.equal(await reporter.locator('#identity-confidential').getAttribute('aria-controls'), 'conditional-identity-confidential');
  await checkAccessibility(reporter, assert);
  await reporter.check('#identity');
  assert.equal(await reporter.locator('#open_name').isVisible(), true, 'open shows its name box');
  assert.equal(await reporter.locator('#confidential_name').isVisible(), false);

  // A name typed, then anonymous chosen: the box hides, and the server says what it did.
  await reporter.fill('#open_name', 'Robin Reporter');
  await reporter.check('#identity-anonymous');
  assert.equal(await reporter.locator('#open_name').isVisible(), false, 'anonymous hides the name box');
  await reporter.fill('#what_happened', 'Staff on the night shift are told not to report falls.');
  await reporter.check('#patient_safety-no');
  await reporter.click('button:has-text("Send my concern")');
  const summary = reporter.locator('.nhsuk-error-summary');
  assert.match(await summary.innerText(), /You chose to stay anonymous, so we have taken out the name and contact details you typed\. Nothing has been sent yet\./);
  assert.equal(await summary.locator('a').first().getAttribute('href'), '#identity');
  assert.equal(await reporter.locator('#open_name').inputValue(), '', 'the name is no longer in the form');
  assert.ok(await reporter.locator('#identity-anonymous').isChecked(), 'the choice is kept');
  assert.equal(await reporter.locator('#what_happened').inputValue(), 'Staff on the night shift are told not to report falls.');
  await checkAccessibility(reporter, assert);
  await reporter.click('button:has-text("Send my concern")');
  await reporter.locator('.dignity-receipt').waitFor();
  await reporter.context().close();

  // Without JavaScript every box shows, so the server's answer is all there is.
  const noScript = await newPage(browser, { javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
  await noScript.goto(`${server.url}/speak-up/DEMO1`);
  assert.equal(await noScript.locator('#open_name').isVisible(), true);
  assert.equal(await noScript.locator('#confidential_name').isVisible(), true);
  await noScript.check('#identity-anonymous');
  await noScript.fill('#confidential_name', 'Robin Reporter');
  await noScript.fill('#what_happened', 'The same again on Tuesday.');
  await noScript.check('#patient_safety-no');
  await noScript.click('button:has-text("Send my concern")');
  assert.match(await noScript.locator('.nhsuk-error-summary').innerText(), /we have taken out the name and contact details you typed/);
  assert.equal(await noScript.locator('#confidential_name').inputValue(), '');
  assert.doesNotMatch(await noScript.content(), /Robin Reporter/);
  await noScript.context().close();

  // The guardian: the way they spoke up in the guardian's words, "Not given" for blanks.
  const guardian = await newPage(browser);
  await signInWithSecondStep(guardian, server.url, 'guardian@demo.nhs.uk');
  await guardian.goto(`${server.url}/orgs/DEMO1/speak-up`);
  const hrefs = await guardian.locator('table a:has-text("Concern")').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  let casePath;
  for (const href of hrefs.reverse()) {
    await guardian.goto(`${server.url}${href}`);
    if (/told not to report falls/.test(await guardian.locator('main').innerText())) { casePath = href; break; }
  }
  assert.ok(casePath, 'the anonymous concern is listed');
  const main = await guardian.locator('main').innerText();
  assert.match(main, /Anonymous: they did not give their name/);
  assert.doesNotMatch(main, /nobody knows who you are/);
  assert.doesNotMatch(main, /Robin Reporter/);
  assert.match(main, /Name and contact\s+Not given/);
  assert.match(main, /Who was affected\s+Not given/);
  await checkAccessibility(guardian, assert);

  // Found by its last 4 digits; a number no case has is said plainly.
  const number = casePath.split('/').pop();
  await guardian.goto(`${server.url}/orgs/DEMO1/speak-up`);
  await guardian.fill('#number', number.slice(-4));
  await guardian.click('button:has-text("Show cases")');
  assert.equal(await guardian.locator(`main a[href="${casePath}"]`).count(), 1, 'found by its last 4 digits');
  await checkAccessibility(guardian, assert);
  await guardian.fill('#number', '9999999999999999999');
  await guardian.click('button:has-text("Show cases")');
  assert.match(await guardian.locator('main').innerText(), /No case you can see has 9999999999999999999 in its number/);
  await checkAccessibility(guardian, assert);
  await guardian.context().close();
});
