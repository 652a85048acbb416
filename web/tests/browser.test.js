// Dignity in real headless Chromium: sign-in, navigation, forms with errors, phones,
// no JavaScript, and axe-core on every page visited.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, totpCode, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

describe('public pages', () => {
  test('the home page explains the service in the NHS look', async () => {
    const page = await newPage(browser);
    await page.goto(server.url);
    assert.equal(await page.locator('h1').innerText(), 'Respect at work in the NHS');
    assert.equal(await page.locator('.nhsuk-header__service-name').innerText(), 'Dignity');
    assert.ok(await page.locator('a.nhsuk-skip-link[href="#maincontent"]').count());
    assert.ok(await page.locator('footer.nhsuk-footer').isVisible());
    // The design system's styles loaded: the header is NHS blue.
    const blue = await page.locator('header.nhsuk-header').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(blue, 'rgb(0, 94, 184)');
    await checkAccessibility(page, assert);
    for (const path of ['/accessibility', '/privacy', '/cookies', '/sign-in', '/no-such-page']) {
      await page.goto(server.url + path);
      await checkAccessibility(page, assert);
    }
    // The accessibility statement has the parts a public-sector statement must have.
    await page.goto(`${server.url}/accessibility`);
    const statement = await page.locator('main').innerText();
    for (const part of [/Compliance status/, /Known problems/, /Tell us about a problem/, /Enforcement procedure/, /Equality Advisory and Support Service/, /This statement was prepared on \d+ \w+ \d{4}/]) {
      assert.match(statement, part);
    }
  });

  test('pages fit a 320 pixel wide phone without sideways scrolling', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    for (const path of ['/', '/sign-in', '/accessibility']) {
      await page.goto(server.url + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 320, `${path} is ${width}px wide`);
      await checkAccessibility(page, assert);
    }
  });
});

describe('signing in', () => {
  test('a form with mistakes shows the NHS error summary, then signing in works', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/sign-in`);
    await page.click('button[type=submit]');
    const summary = page.locator('.nhsuk-error-summary');
    assert.ok(await summary.isVisible());
    assert.match(await summary.innerText(), /Enter an email address/);
    assert.match(await page.title(), /^Error: /);
    // The summary links to the field with the problem.
    await page.click('.nhsuk-error-summary a[href="#email"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
    await checkAccessibility(page, assert);

    await page.fill('#email', 'staff@demo.nhs.uk');
    await page.fill('#passphrase', 'not the right one');
    await page.click('button[type=submit]');
    assert.match(await summary.innerText(), /email address or passphrase is not right/);
    await checkAccessibility(page, assert);

    await signIn(page, server.url, 'staff@demo.nhs.uk');
    assert.equal(new URL(page.url()).pathname, '/home');
    assert.match(await page.locator('main').innerText(), /Staff member/);
    // The card promises speaking up, and links to it.
    assert.match(await page.locator('main').innerText(), /Speak up about a concern/);
    assert.equal(await page.locator('main a[href="/speak-up/DEMO1"]').count(), 1);
    await checkAccessibility(page, assert);

    await page.click('button:has-text("Sign out")');
    assert.equal(new URL(page.url()).pathname, '/signed-out');
    await checkAccessibility(page, assert);
    await page.goto(`${server.url}/home`);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
  });

  test('an administrator passes the second step and manages the structure', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'admin@demo.nhs.uk');
    assert.equal(new URL(page.url()).pathname, '/sign-in/two-factor');
    await checkAccessibility(page, assert);
    await page.fill('#code', totpCode());
    await page.click('button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/home');
    await checkAccessibility(page, assert);

    await page.click('a:has-text("Divisions, directorates and teams")');
    await checkAccessibility(page, assert);
    await page.click('button:has-text("Add unit")');
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Enter a name for the unit/);
    await checkAccessibility(page, assert);
    await page.fill('#name', 'Women and children');
    await page.check('#kind');
    await page.click('button:has-text("Add unit")');
    assert.match(await page.locator('main').innerText(), /Women and children/);

    await page.goto(`${server.url}/orgs/DEMO1/people`);
    await checkAccessibility(page, assert);
    await page.goto(`${server.url}/orgs/DEMO1/audit`);
    assert.match(await page.locator('main').innerText(), /Added division Women and children/);
    await checkAccessibility(page, assert);
    // Another organisation's pages are closed to this administrator.
    const response = await page.goto(`${server.url}/orgs/DEMO2/audit`);
    assert.equal(response.status(), 403);
    await checkAccessibility(page, assert);
  });

  test('everything works with JavaScript turned off', async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.goto(`${server.url}/sign-in`);
    await page.click('button[type=submit]');
    assert.ok(await page.locator('.nhsuk-error-summary').isVisible());
    await signIn(page, server.url, 'union@demo.nhs.uk');
    assert.equal(new URL(page.url()).pathname, '/home');
    assert.match(await page.locator('main').innerText(), /Trade union partner/);
    await page.click('button:has-text("Sign out")');
    assert.equal(new URL(page.url()).pathname, '/signed-out');
  });
});

describe('staff survey results', () => {
  test('an executive reads the demo survey, broken down, with small groups hidden', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'exec@demo.nhs.uk');
    await page.click('a:has-text("Staff survey results")');
    await checkAccessibility(page, assert);
    await page.click('a:has-text("Culture survey 2026")');
    assert.match(await page.locator('main').innerText(), /1200 people answered/);
    assert.match(await page.locator('main').innerText(), /Speaking-up index/);
    await checkAccessibility(page, assert);
    await page.selectOption('#by', 'ethnicity');
    await page.click('button:has-text("Show results")');
    assert.match(await page.locator('main').innerText(), /Black and minority ethnic/);
    assert.match(await page.locator('main').innerText(), /Race equality/);
    await checkAccessibility(page, assert);

    // By staff group: the demo trust has about five ambulance staff, so their column is
    // hidden on every question, and on each question at least one more group is hidden
    // with it, so "everyone" minus the shown groups cannot give their answers.
    await page.selectOption('#by', 'staff_group');
    await page.click('button:has-text("Show results")');
    const table = page.locator('table').first();
    const headings = (await table.locator('thead th').allInnerTexts()).map((t) => t.trim());
    const ambulance = headings.indexOf('Ambulance');
    const notGiven = headings.indexOf('Not given');
    assert.ok(notGiven > 1 && ambulance > notGiven, headings.join(' | '));
    // Each cell's own text, without its heading for small screens or a note.
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => [...td.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim())));
    assert.ok(rows.length > 40, `${rows.length} rows`);
    let checked = 0;
    for (const cells of rows) {
      if (cells[1].startsWith('hidden')) continue;
      assert.equal(cells[ambulance], 'hidden', `ambulance staff shown: ${cells[0]}`);
      // Every made-up response gives a staff group, so "Not given" is empty, not hidden.
      const groups = cells.slice(notGiven + 1);
      const hidden = groups.filter((c) => c === 'hidden').length;
      assert.ok(hidden >= 2, `only the ambulance column is hidden: ${cells.join(' | ')}`);
      assert.ok(hidden < groups.length - 1, `nearly everything is hidden: ${cells.join(' | ')}`);
      checked += 1;
    }
    assert.ok(checked > 40, `${checked} questions checked`);
    await checkAccessibility(page, assert);

    await page.click('a:has-text("Compare with similar organisations")');
    assert.match(await page.locator('main').innerText(), /standardised by staff group/);
    assert.match(await page.locator('main').innerText(), /of 11/);
    await checkAccessibility(page, assert);
    await page.goBack();
    await page.click('a:has-text("Staff pledges scorecard")');
    assert.match(await page.locator('main').innerText(), /Pledge 7/);
    assert.match(await page.locator('main').innerText(), /out of 10/);
    await checkAccessibility(page, assert);
  });

  test('a national analyst sees every organisation on the oversight measures', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'analyst@demo.nhs.uk');
    await page.fill('#code', totpCode());
    await page.click('button[type=submit]');
    await page.click('a:has-text("Staff survey oversight")');
    const text = await page.locator('main').innerText();
    assert.match(text, /Northfield Hospitals/);
    assert.match(text, /Seaview Hospitals/);
    assert.match(text, /Last year/);
    // One funnel plot per measure, drawn on the server, with its table beside it.
    assert.match(text, /Funnel plots: /);
    assert.match(text, /How many organisations stand out/);
    assert.ok(await page.locator('figure svg[role="img"]').count() >= 1);
    await checkAccessibility(page, assert);
    await page.selectOption('#year', '2025');
    await page.click('button:text-is("Show")');
    assert.match(new URL(page.url()).search, /year=2025/);
    await checkAccessibility(page, assert);
  });

  test('an administrator sets up a survey and makes codes', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'admin@demo.nhs.uk');
    // The next step's code: an earlier test may have used this step's for the same account.
    await page.fill('#code', totpCode(1));
    await page.click('button[type=submit]');
    await page.goto(`${server.url}/orgs/DEMO1/surveys/new`);
    await checkAccessibility(page, assert);
    await page.click('button:has-text("Set up survey")');
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Enter a name for the survey/);
    await checkAccessibility(page, assert);
    await page.fill('#title', 'Ward check-in');
    await page.click('button:has-text("Set up survey")');
    assert.match(await page.locator('h1').innerText(), /Ward check-in/);
    await checkAccessibility(page, assert);
    await page.fill('#count', '4');
    await page.click('button:has-text("Make codes")');
    assert.equal(await page.locator('.dignity-code-slip').count(), 4);
    await checkAccessibility(page, assert);
  });

  test('an administrator reads the pledge mapping in words, not question keys', async () => {
    const page = await newPage(browser);
    await signInWithSecondStep(page, server.url, 'admin@demo.nhs.uk');
    await page.goto(`${server.url}/orgs/DEMO1/surveys/pledges`);
    const main = await page.locator('main').innerText();
    assert.match(main, /Pledge 1: /);
    assert.match(main, /I would feel safe raising a worry about anything at work\./);
    await checkAccessibility(page, assert);
  });
});

describe('answering a staff survey', () => {
  test('a person answers page by page with a code, stops, comes back and sends', async () => {
    const codes = [...server.logs().matchAll(/^ {2}([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$/gm)].map((m) => m[1]);
    assert.ok(codes.length >= 1, 'the demo prints invitation codes');
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await page.goto(`${server.url}/survey`);
    await checkAccessibility(page, assert);
    await page.fill('#code', 'wrong');
    await page.click('button:has-text("Start")');
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /16 letters and numbers/);
    await checkAccessibility(page, assert);
    await page.fill('#code', codes[0].toLowerCase());
    await page.click('button:has-text("Start")');
    assert.match(await page.locator('.nhsuk-caption-l').innerText(), /page 1 of/);
    await checkAccessibility(page, assert);
    await page.locator('input[type=radio]').first().check();
    await page.click('button:has-text("Save and finish later")');
    assert.match(await page.locator('h1').innerText(), /Your answers are saved/);
    await checkAccessibility(page, assert);

    // Coming back carries on at the page after the last one answered.
    await page.goto(`${server.url}/survey?code=${codes[0]}`);
    assert.match(await page.locator('.nhsuk-caption-l').innerText(), /page 2 of/);
    await page.click('button:has-text("Back to page 1")');
    assert.ok(await page.locator('input[type=radio]').first().isChecked(), 'the saved answer is back');
    const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'no sideways scrolling on a phone');
    for (let n = 0; n < 20; n += 1) {
      if (await page.locator('button:has-text("Check your answers")').count() > 0) break;
      await page.click('button:has-text("Continue")');
      await checkAccessibility(page, assert);
    }
    // Every answer in words before sending, with a way to change each page.
    await page.click('button:has-text("Check your answers")');
    assert.match(await page.locator('h1').innerText(), /Check your answers before sending/);
    assert.match(await page.locator('main').innerText(), /Not answered/);
    assert.ok(await page.locator('button:has-text("Change your answers")').count() > 1);
    await checkAccessibility(page, assert);
    const checkScrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(checkScrolls, false, 'the check page fits a phone');
    await page.click('button:has-text("Send my answers")');
    assert.match(await page.locator('h1').innerText(), /Your answers have been sent/);
    // Post-redirect-get: a reload shows the thank-you page again and sends nothing.
    assert.equal(new URL(page.url()).pathname, '/survey/sent');
    await page.reload();
    assert.match(await page.locator('h1').innerText(), /Your answers have been sent/);
    await checkAccessibility(page, assert);
    assert.ok(!server.logs().includes('route=/survey'), 'the answering pages are not logged');

    // The same pages work with JavaScript turned off.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto(`${server.url}/survey?code=${codes[1]}`);
    await plain.locator('input[type=radio]').first().check();
    await plain.click('button:has-text("Continue")');
    assert.match(await plain.locator('.nhsuk-caption-l').innerText(), /page 2 of/);
    await plain.click('button:has-text("Back to page 1")');
    assert.ok(await plain.locator('input[type=radio]').first().isChecked(), 'the answer was kept');
    await context.close();
  });
});

describe('partnership action plans', () => {
  test('the public reads a signed plan and the national index on a phone', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await page.goto(server.url);
    await page.click('a:has-text("See organisations\' plans")');
    const index = await page.locator('main').innerText();
    assert.match(index, /have published a plan signed by both/);
    assert.match(index, /On track: 4/);
    assert.doesNotMatch(index, /\b1 actions\b/, 'one action, not "1 actions"');
    await checkAccessibility(page, assert);
    await page.click('a:has-text("Northfield Hospitals")');
    const text = await page.locator('main').innerText();
    assert.match(text, /Respect at work 2026 to 2027/);
    assert.match(text, /approved by both the employer and the trade unions/);
    assert.match(text, /Ezra Executive/);
    assert.match(text, /Uma Union/);
    const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'no sideways scrolling on a phone');
    await checkAccessibility(page, assert);
  });

  test('an executive drafts an action and reports progress', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'exec@demo.nhs.uk');
    await page.click('a:has-text("Action plans")');
    await checkAccessibility(page, assert);
    await page.click('a:has-text("Respect at work 2026 to 2027")');
    await checkAccessibility(page, assert);
    await page.fill('#title', 'Exit interviews ask about bullying');
    await page.fill('#owner', 'Head of HR');
    await page.fill('#starts-day', '1');
    await page.fill('#starts-month', '6');
    await page.fill('#starts-year', '2026');
    await page.fill('#due-day', '1');
    await page.fill('#due-month', '5');
    await page.fill('#due-year', '2026');
    await page.click('button:has-text("Add action")');
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /The due date must be the same as or after the start date/);
    await checkAccessibility(page, assert);
    await page.fill('#due-month', '12');
    await page.click('button:has-text("Add action")');
    assert.match(await page.locator('main').innerText(), /changes that both sides must approve/);
    assert.match(await page.locator('main').innerText(), /Exit interviews ask about bullying/);
    await checkAccessibility(page, assert);

    // Both sides sign the new version, each after reading what changed on the review
    // page; then the public sees the new action.
    await page.click('a:has-text("Check the changes and approve")');
    assert.match(await page.locator('main').innerText(), /New action: Exit interviews ask about bullying/);
    await page.click('button:has-text("for the employer side")');
    assert.match(await page.locator('main').innerText(), /Employer approval of this version\s*Approved by Ezra Executive/);
    const union = await newPage(browser);
    await signIn(union, server.url, 'union@demo.nhs.uk');
    await union.click('a:has-text("Action plans")');
    await union.click('a:has-text("Respect at work 2026 to 2027")');
    await checkAccessibility(union, assert);
    await union.click('a:has-text("Check the changes and approve")');
    await union.click('button:has-text("for the trade union side")');
    const signed = await union.locator('main').innerText();
    assert.doesNotMatch(signed, /changes that both sides must approve/);
    const visitor = await newPage(browser);
    await visitor.goto(`${server.url}/plans/DEMO1`);
    assert.match(await visitor.locator('main').innerText(), /Exit interviews ask about bullying/);
    await checkAccessibility(visitor, assert);
  });

  test('a change waits for both sides, staff comment, an administrator publishes, and the poster is drawn', async () => {
    // An executive renames an action: a new version the public does not see yet.
    const exec = await newPage(browser);
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    await exec.click('a:has-text("Action plans")');
    await exec.click('a:has-text("Respect at work 2026 to 2027")');
    await exec.click('a:has-text("Change, remove or see the history")');
    await checkAccessibility(exec, assert);
    const before = await exec.inputValue('#title');
    await exec.fill('#title', `${before} (every ward)`);
    await exec.click('button:has-text("Save changes")');
    assert.match(await exec.locator('main').innerText(), /changes that both sides must approve/);
    await exec.click('a:has-text("See every change and approval")');
    assert.match(await exec.locator('main').innerText(), /Changed the action/);
    await checkAccessibility(exec, assert);
    const visitor = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await visitor.goto(`${server.url}/plans/DEMO1`);
    const signedText = await visitor.locator('main').innerText();
    assert.match(signedText, new RegExp(before.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.doesNotMatch(signedText, /\(every ward\)/);

    // A member of staff comments; it waits for an administrator.
    const staff = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await signIn(staff, server.url, 'staff@demo.nhs.uk');
    await staff.click('a:has-text("Read and comment on our plan")');
    await staff.click('a:has-text("Comment on this action") >> nth=0');
    await checkAccessibility(staff, assert);
    await staff.click('button:has-text("Send comment")');
    assert.match(await staff.locator('.nhsuk-error-summary').innerText(), /Enter your comment/);
    await checkAccessibility(staff, assert);
    await staff.fill('#comment', 'The first sessions were good. More dates on nights, please.');
    await staff.click('button:has-text("Send comment")');
    assert.match(await staff.locator('main').innerText(), /An administrator will read your comment/);

    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.click('a:has-text("Staff comments on plans")');
    await checkAccessibility(admin, assert);
    assert.match(await admin.locator('main').innerText(), /More dates on nights/);
    await admin.click('button:has-text("Publish")');
    assert.match(await admin.locator('main').innerText(), /No comments are waiting/);
    await visitor.reload();
    assert.match(await visitor.locator('main').innerText(), /More dates on nights, please/);
    await checkAccessibility(visitor, assert);

    // Following by email: this demo sends no mail, and says so before any form.
    assert.match(await visitor.locator('main').innerText(), /cannot get emails about this plan/);
    assert.equal(await visitor.locator('#email').count(), 0, 'no email form that could not work');

    // The poster is a real A4 picture.
    const poster = await visitor.goto(`${server.url}/plans/DEMO1/poster.png`);
    assert.equal(poster.headers()['content-type'], 'image/png');
    const size = await visitor.evaluate(() => {
      const img = document.querySelector('img');
      return img ? [img.naturalWidth, img.naturalHeight] : null;
    });
    assert.deepEqual(size, [1190, 1684]);
  });
});

describe('knowledge hub', () => {
  test('the starter catalogue is searched and filtered on a phone, and a case study reads well', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await page.goto(server.url);
    await page.click('a:has-text("Search the library")');
    assert.match(await page.locator('#results').innerText(), /\d+ resources/);
    await checkAccessibility(page, assert);
    await page.fill('#q', 'bulying at wrok');
    await page.click('button:has-text("Search")');
    const corrected = await page.locator('main').innerText();
    assert.match(corrected, /we searched for: bullying at work/);
    assert.ok(await page.locator('mark').count() > 0, 'matches are highlighted');
    // ...in a colour that is not the focus yellow.
    const markColour = await page.locator('mark').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(markColour, 'rgb(204, 226, 243)');
    await checkAccessibility(page, assert);
    // A facet is a plain link, so the search can be shared.
    await page.fill('#q', '');
    await page.click('button:has-text("Search")');
    await page.click('nav[aria-label="Narrow the results"] a:has-text("Case study")');
    assert.match(new URL(page.url()).search, /kind=case_study/);
    assert.match(await page.locator('#results').innerText(), /^7 resources/);
    await checkAccessibility(page, assert);
    await page.click('a:has-text("A fast-track disciplinary process")');
    const study = await page.locator('main').innerText();
    assert.match(study, /University Hospital Birmingham NHS Foundation Trust/);
    assert.match(study, /What changed/);
    const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'no sideways scrolling on a phone');
    await checkAccessibility(page, assert);
    // The organisation's own items come first for its staff.
    const staff = await newPage(browser);
    await signIn(staff, server.url, 'staff@demo.nhs.uk');
    await staff.click('a:has-text("Our policies, contacts and the library")');
    assert.match(await staff.locator('main').innerText(), /Our dignity at work policy/);
    await checkAccessibility(staff, assert);
  });

  test('search and filters work with JavaScript turned off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto(`${server.url}/library`);
    await plain.fill('#q', 'civility');
    await plain.click('summary:has-text("Filter the results")');
    await plain.selectOption('#facet-kind', 'guide');
    await plain.click('button:has-text("Search")');
    assert.match(await plain.locator('#results').innerText(), /resources? for “civility”/);
    assert.match(new URL(plain.url()).search, /kind=guide/);
    await context.close();
  });

  test('news reads well and an event is booked and cancelled', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await page.goto(server.url);
    await page.click('a:has-text("News")');
    await checkAccessibility(page, assert);
    await page.click('a:has-text("An updated picture of what bullying does")');
    assert.ok(await page.locator('.dignity-markdown li').count() === 3, 'the list is a list');
    await checkAccessibility(page, assert);
    const feed = await page.goto(`${server.url}/news/feed.atom`);
    assert.match(feed.headers()['content-type'], /application\/atom\+xml/);

    await page.goto(`${server.url}/events`);
    await checkAccessibility(page, assert);
    await page.click('a:has-text("Webinar: line managers and tackling bullying")');
    assert.doesNotMatch(await page.locator('main').innerText(), /meet\.example/);
    await page.click('button:has-text("Book a place")');
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Enter your name/);
    await checkAccessibility(page, assert);
    await page.fill('#name', 'Robin Reader');
    await page.fill('#email', 'robin@example.com');
    await page.click('button:has-text("Book a place")');
    assert.match(await page.locator('main').innerText(), /You have a place/);
    await checkAccessibility(page, assert);
    assert.equal(await page.locator('a[href*="token="]').count(), 0, 'the page links to no booking');
    await page.goto(`${server.url}/events/booking?token=${server.bookingToken('robin@example.com')}`);
    assert.match(await page.locator('main').innerText(), /meet\.example\.nhs\.uk\/demo-webinar/);
    await checkAccessibility(page, assert);
    await page.click('button:has-text("Cancel my place")');
    assert.match(await page.locator('main').innerText(), /Your booking is cancelled/);
    await checkAccessibility(page, assert);
  });

  test('an administrator adds a resource and it is found at once', async () => {
    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.click('a:has-text("Look after the library")');
    await checkAccessibility(admin, assert);
    await admin.click('a:has-text("Add a resource")');
    await admin.click('button:has-text("Save")');
    assert.match(await admin.locator('.nhsuk-error-summary').innerText(), /Enter the title/);
    await checkAccessibility(admin, assert);
    await admin.selectOption('#kind', 'toolkit');
    await admin.fill('#title', 'Respect champions starter pack');
    await admin.fill('#summary', 'What our respect champions use in their first month.');
    await admin.fill('#publisher', 'Northfield Hospitals');
    await admin.check('#audiences');
    await admin.check('#topics');
    // Published in a month whose day nobody knows: the day is left empty, but a day
    // without its month is named as a mistake, with the other problems at once.
    await admin.fill('#published-day', '3');
    await admin.fill('#published-year', '2024');
    await admin.fill('#review-day', '');
    await admin.click('button:has-text("Save")');
    const summary = await admin.locator('.nhsuk-error-summary').innerText();
    assert.match(summary, /The date it was published must include a month/);
    assert.match(summary, /date to check it again/);
    assert.equal(await admin.locator('.nhsuk-error-summary a:has-text("published")').getAttribute('href'), '#published-day');
    await checkAccessibility(admin, assert);
    await admin.fill('#published-day', '');
    await admin.fill('#published-month', '11');
    await admin.fill('#review-day', '1');
    await admin.click('button:has-text("Save")');
    assert.match(await admin.locator('h1').innerText(), /Respect champions starter pack/);
    assert.match(await admin.locator('main').innerText(), /November 2024/);
    await admin.goto(`${server.url}/library?q=champions+starter`);
    assert.match(await admin.locator('#results').innerText(), /^1 resource/);
  });
});

describe('privacy notices', () => {
  test('an organisation administrator writes their privacy notice, and everyone can read it', async () => {
    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.goto(`${server.url}/home`);
    await admin.click('a:has-text("Your privacy notice")');
    assert.match(await admin.locator('h1').innerText(), /Privacy notice/);
    await checkAccessibility(admin, assert);
    await admin.fill('#body', '## Who is responsible\n\nNorthfield Hospitals is responsible for what it keeps here.\n\n<script>window.__xss=1</script>');
    await admin.click('button:has-text("Save the notice")');
    assert.match(new URL(admin.url()).pathname, /^\/orgs\/DEMO1\/privacy$/);
    assert.match(await admin.locator('h2').first().innerText(), /Who is responsible/);
    assert.equal(await admin.evaluate(() => window.__xss), undefined);
    await checkAccessibility(admin, assert);

    // Anyone, signed in or not, finds it from the privacy page in the footer.
    const visitor = await newPage(browser);
    await visitor.goto(server.url);
    await visitor.click('footer a:has-text("Privacy")');
    await visitor.click('main a:has-text("Northfield Hospitals")');
    assert.match(await visitor.locator('main').innerText(), /responsible for what it keeps here/);
    await checkAccessibility(visitor, assert);
    await visitor.context().close();
    await admin.context().close();
  });
});
