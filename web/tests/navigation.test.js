// Finding the way: error pages that still show who is signed in, pages that say plainly
// when an organisation has not set something up, the header's sections, breadcrumbs and
// back links, and the organisation administrator's audit log. axe runs on every page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** The signed-in part of the header: the person's name and the sign-out button. */
async function signedInHeader(page) {
  const account = page.locator('header nav[aria-label="Account"]');
  return {
    text: (await account.innerText()).trim(),
    signOut: await account.locator('button:has-text("Sign out")').count(),
  };
}

describe('error pages', () => {
  test('not found and refused pages keep the signed-in header and sign-out', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'staff@demo.nhs.uk');
    assert.equal(new URL(page.url()).pathname, '/home');

    let response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Page not found');
    let header = await signedInHeader(page);
    assert.match(header.text, /Sam Staff/);
    assert.equal(header.signOut, 1);
    assert.equal(await page.locator('header a:has-text("Sign in")').count(), 0);
    assert.equal(await page.locator('main a[href="/home"]').count(), 1);
    await checkAccessibility(page, assert);

    response = await page.goto(`${server.url}/orgs/DEMO1/audit`);
    assert.equal(response.status(), 403);
    header = await signedInHeader(page);
    assert.match(header.text, /Sam Staff/);
    await checkAccessibility(page, assert);

    // Signing out from an error page works.
    await page.click('header button:has-text("Sign out")');
    assert.equal(new URL(page.url()).pathname, '/signed-out');

    // Signed out, the same page offers signing in instead.
    response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('header a:has-text("Sign in")').count(), 1);
  });

  test('an organisation without Speak Up or a published plan says so, and where to go', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    let response = await page.goto(`${server.url}/speak-up/DEMO2`);
    assert.equal(response.status(), 404);
    let heading = await page.locator('h1').innerText();
    assert.match(heading, /Riverside Mental Health NHS Trust \(demo\) has not set up Speak Up here/);
    let text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Page not found/);
    assert.match(text, /Freedom to Speak Up Guardian/);
    assert.equal(await page.locator('main a[href="/speak-up"]').count(), 1);
    await checkAccessibility(page, assert);

    response = await page.goto(`${server.url}/plans/DEMO3`);
    assert.equal(response.status(), 404);
    heading = await page.locator('h1').innerText();
    assert.match(heading, /Moorland Ambulance Service NHS Trust \(demo\) has not published a plan yet/);
    text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Page not found/);
    assert.equal(await page.locator('main a[href="/plans"]').count(), 1);
    await checkAccessibility(page, assert);

    // An unknown organisation is still simply not found.
    response = await page.goto(`${server.url}/speak-up/NOPE9`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Page not found');
  });
});

/** The header's sections, as words. */
async function sections(page) {
  return (await page.locator('header nav[aria-label="Menu"] a').allInnerTexts()).map((t) => t.trim());
}

/** The breadcrumbs' links, as [words, address]. */
async function crumbs(page) {
  return page.locator('nav[aria-label="Breadcrumb"] ol a').evaluateAll((links) =>
    links.map((a) => [a.textContent.trim(), a.getAttribute('href')]));
}

/** Fails if the page scrolls sideways. */
async function fits(page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${page.url()} is ${scroll}px wide in a ${inner}px window`);
}

describe('navigation', () => {
  test('the header has the sections each role can use', async () => {
    const exec = await newPage(browser);
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    const execSections = await sections(exec);
    for (const s of ['Your home', 'Survey results', 'Plans', 'Speak Up trends', 'Speak up']) {
      assert.ok(execSections.includes(s), `${s} in ${execSections.join(', ')}`);
    }
    assert.ok(!execSections.includes('Audit log'), 'an executive has no audit log');
    assert.equal(await exec.locator('header nav[aria-label="Menu"] a[aria-current="page"]').innerText(), 'Your home');
    await checkAccessibility(exec, assert);
    // The section holding a page is marked as the current one.
    await exec.goto(`${server.url}/orgs/DEMO1/surveys`);
    assert.equal((await exec.locator('header nav[aria-label="Menu"] a[aria-current="page"]').innerText()).trim(), 'Survey results');

    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    const adminSections = await sections(admin);
    for (const s of ['Audit log', 'People', 'Survey results']) {
      assert.ok(adminSections.includes(s), `${s} in ${adminSections.join(', ')}`);
    }
    await admin.click('header nav[aria-label="Menu"] a:text-is("Audit log")');
    assert.equal(new URL(admin.url()).pathname, '/orgs/DEMO1/audit');

    // The header fits a 320 pixel phone, with JavaScript and without.
    for (const javaScriptEnabled of [true, false]) {
      const phone = await newPage(browser, { viewport: { width: 320, height: 640 }, javaScriptEnabled });
      await signIn(phone, server.url, 'exec@demo.nhs.uk');
      await fits(phone);
      if (javaScriptEnabled) await checkAccessibility(phone, assert);
      await phone.context().close();
    }
  });

  test('pages below the first level have breadcrumbs, and results pages have back links', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'exec@demo.nhs.uk');
    await page.goto(`${server.url}/orgs/DEMO1/surveys`);
    assert.equal(await page.locator('nav[aria-label="Breadcrumb"]').count(), 0, 'a first-level page has none');
    await page.click('main a:has-text("Culture survey 2026")');
    const survey = new URL(page.url()).pathname;
    assert.deepEqual(await crumbs(page), [['Home', '/home'], ['Survey results', '/orgs/DEMO1/surveys']]);
    await checkAccessibility(page, assert);

    // Benchmark and pledges: a back link to the survey's results.
    for (const [link, path] of [['Compare with similar organisations', '/benchmark'], ['Staff pledges scorecard', '/pledges']]) {
      await page.goto(server.url + survey);
      await page.click(`main a:has-text("${link}")`);
      assert.equal(new URL(page.url()).pathname, survey + path);
      const back = page.locator('a.nhsuk-back-link');
      assert.equal(await back.getAttribute('href'), survey);
      assert.match(await back.innerText(), /Back to the results of Culture survey 2026/);
      await checkAccessibility(page, assert);
      await back.click();
      assert.equal(new URL(page.url()).pathname, survey);
    }

    // The Speak Up return and trends: back to the home page they are reached from.
    for (const path of ['/orgs/DEMO1/speak-up/return', '/orgs/DEMO1/speak-up/trends']) {
      await page.goto(server.url + path);
      const back = page.locator('a.nhsuk-back-link');
      assert.equal(await back.getAttribute('href'), '/home', path);
      await checkAccessibility(page, assert);
    }

    // A plan's pages lead back up through the plans.
    await page.goto(`${server.url}/orgs/DEMO1/plans`);
    await page.click('main a:has-text("Respect at work 2026 to 2027")');
    assert.deepEqual(await crumbs(page), [['Home', '/home'], ['Action plans', '/orgs/DEMO1/plans']]);
    await checkAccessibility(page, assert);

    // Public pages too, from the public home page.
    const visitor = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await visitor.goto(`${server.url}/speak-up/DEMO1`);
    assert.deepEqual(await crumbs(visitor), [['Home', '/'], ['Speak up', '/speak-up']]);
    // On a phone the breadcrumbs become one back link.
    assert.ok(await visitor.locator('nav[aria-label="Breadcrumb"] a.nhsuk-back-link').isVisible());
    await fits(visitor);
    await checkAccessibility(visitor, assert);
  });

  test('an executive\'s header has one way to the plans', async () => {
    const exec = await newPage(browser);
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    const execSections = await sections(exec);
    assert.equal(execSections.filter((s) => /plan/i.test(s)).length, 1, execSections.join(', '));
    assert.ok(execSections.includes('Plans'), execSections.join(', '));
    assert.equal(await exec.locator('header nav[aria-label="Menu"] a[href="/plans/DEMO1"]').count(), 0);
    // Staff who do not work on the plans still have theirs.
    const staff = await newPage(browser);
    await signIn(staff, server.url, 'staff@demo.nhs.uk');
    assert.ok((await sections(staff)).includes('Our plan'));
  });

  /** Opens `path` and checks its breadcrumbs, then axe and reflow at 320 px (in
   * checkAccessibility), and that on a phone they become a back link to the last crumb. */
  async function crumbsOn(page, path, expected) {
    const response = await page.goto(server.url + path);
    assert.equal(response.status(), 200, path);
    assert.deepEqual(await crumbs(page), expected, path);
    await checkAccessibility(page, assert);
    await page.setViewportSize({ width: 320, height: 640 });
    const back = page.locator('nav[aria-label="Breadcrumb"] a.nhsuk-back-link');
    assert.ok(await back.isVisible(), `${path}: a back link on a phone`);
    assert.equal(await back.getAttribute('href'), expected[expected.length - 1][1], path);
    await fits(page);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  test('a plan\'s own pages, the administrator\'s pages and national organisation pages have breadcrumbs by name', async () => {
    const exec = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    await exec.goto(`${server.url}/orgs/DEMO1/plans`);
    await exec.click('main a:has-text("Respect at work 2026 to 2027")');
    const plan = new URL(exec.url()).pathname;
    const title = (await exec.locator('h1').innerText()).trim();
    const upToPlan = [['Home', '/home'], ['Action plans', '/orgs/DEMO1/plans'], [title, plan]];
    // An action's page, reached from the plan.
    await exec.click('a:has-text("Change, remove or see the history")');
    const action = new URL(exec.url()).pathname;
    assert.match(action, /\/actions\/\d+$/);
    await crumbsOn(exec, action, upToPlan);
    await crumbsOn(exec, `${plan}/history`, upToPlan);

    const admin = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    const organisation = [['Home', '/home'], ['Northfield Hospitals NHS Foundation Trust (demo)', '/home#org-DEMO1']];
    for (const path of ['/orgs/DEMO1/people', '/orgs/DEMO1/structure', '/orgs/DEMO1/audit']) {
      await crumbsOn(admin, path, organisation);
    }
    // The organisation's crumb leads to its part of the home page.
    await admin.goto(`${server.url}/orgs/DEMO1/people`);
    await admin.click('nav[aria-label="Breadcrumb"] ol a[href="/home#org-DEMO1"]');
    assert.equal(await admin.locator('#org-DEMO1').count(), 1);

    const analyst = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await signInWithSecondStep(analyst, server.url, 'analyst@demo.nhs.uk');
    await crumbsOn(analyst, '/national/organisations/DEMO1',
      [['Home', '/home'], ['Speaking up across organisations', '/national/speak-up#org-DEMO1']]);
    // From the survey oversight table, the way back is to that table.
    await analyst.goto(`${server.url}/national/surveys`);
    const link = analyst.locator('table a[href^="/national/organisations/DEMO1"]').first();
    const href = await link.getAttribute('href');
    await crumbsOn(analyst, href,
      [['Home', '/home'], ['Staff survey oversight', '/national/surveys#org-DEMO1']]);
  });

  test('national tables link to each organisation\'s page', async () => {
    const page = await newPage(browser);
    await signInWithSecondStep(page, server.url, 'analyst@demo.nhs.uk');
    assert.ok((await sections(page)).includes('Speak Up figures'));
    await page.goto(`${server.url}/national/speak-up`);
    await page.click('table a[href="/national/organisations/DEMO1"]');
    assert.match(await page.locator('h1').innerText(), /Northfield Hospitals/);
    const text = await page.locator('main').innerText();
    assert.match(text, /Acute/);
    assert.match(text, /Speak Up\s+Set up/);
    await checkAccessibility(page, assert);

    await page.goto(`${server.url}/national/surveys`);
    const links = await page.locator('table a[href^="/national/organisations/"]').count();
    assert.ok(links >= 2, `${links} organisations linked`);
    await page.locator('table a[href^="/national/organisations/"]').last().click();
    assert.match(new URL(page.url()).pathname, /^\/national\/organisations\/[A-Z0-9]+$/);
    await checkAccessibility(page, assert);
    // And back from the organisation to its row.
    await page.click('a:has-text("Staff survey: its oversight measures")');
    assert.match(new URL(page.url()).hash, /^#org-/);
  });
});

describe('the audit log', () => {
  test('an administrator filters the audit log by kind and date, and pages through it', async () => {
    const page = await newPage(browser);
    await signInWithSecondStep(page, server.url, 'admin@demo.nhs.uk');
    await page.goto(`${server.url}/orgs/DEMO1/audit`);
    await checkAccessibility(page, assert);
    const showing = async () => (await page.locator('#showing').innerText()).trim();
    const first = await showing();
    const match = first.match(/^Showing 1 to (\d+) of (\d+) entries$/);
    assert.ok(match, first);
    const [shown, total] = [Number(match[1]), Number(match[2])];
    assert.equal(shown, Math.min(total, 50));
    // Times in UK time, as people say them.
    const when = (await page.locator('tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
    for (const time of when) assert.match(time, /^\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)$/);

    // Enough entries for a second page: each administrator action adds one.
    for (let i = total; i <= 50; i += 1) {
      await page.goto(`${server.url}/orgs/DEMO1/structure`);
      await page.fill('#name', `Division ${i}`);
      await page.check('#kind');
      await page.click('button:has-text("Add unit")');
    }
    await page.goto(`${server.url}/orgs/DEMO1/audit`);
    const all = Number((await showing()).match(/of (\d+) entries/)[1]);
    assert.ok(all > 50, `${all} entries`);
    assert.equal(await page.locator('a[rel="prev"]').count(), 0);
    await page.click('a[rel="next"]');
    assert.match(new URL(page.url()).search, /page=2/);
    assert.equal(await showing(), `Showing 51 to ${Math.min(all, 100)} of ${all} entries`);
    await checkAccessibility(page, assert);
    await page.click('a[rel="prev"]');
    assert.match(await showing(), /^Showing 1 to 50 of/);

    // One kind of action: the count and every row follow it, and paging keeps the filter.
    await page.selectOption('#kind', { label: 'Divisions, directorates and teams' });
    await page.click('button:has-text("Show entries")');
    assert.match(new URL(page.url()).search, /kind=org_unit/);
    const units = Number((await showing()).match(/of (\d+) entr/)[1]);
    assert.ok(units < all && units > 0, `${units} of ${all}`);
    for (const what of await page.locator('tbody tr td:nth-child(3)').allInnerTexts()) {
      assert.match(what, /^Added /, what);
    }
    if (units > 50) {
      await page.click('a[rel="next"]');
      assert.match(new URL(page.url()).search, /kind=org_unit.*page=2/);
    }
    await checkAccessibility(page, assert);

    // Dates: a date that is not real is named in the error summary, beside its boxes.
    await page.goto(`${server.url}/orgs/DEMO1/audit`);
    await page.fill('#from-day', '31');
    await page.fill('#from-month', '2');
    await page.fill('#from-year', '2026');
    await page.fill('#to-day', '1');
    await page.fill('#to-month', '13');
    await page.fill('#to-year', '2026');
    await page.click('button:has-text("Show entries")');
    const summary = await page.locator('.nhsuk-error-summary').innerText();
    assert.match(summary, /The from date must be a real date/);
    assert.match(summary, /The to date must be a real date/);
    await page.click('.nhsuk-error-summary a[href="#from-day"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'from-day');
    await checkAccessibility(page, assert);
    // Days long past: nothing matches, and the page says so.
    await page.goto(`${server.url}/orgs/DEMO1/audit?from-day=1&from-month=1&from-year=2001&to-day=2&to-month=1&to-year=2001`);
    assert.match(await page.locator('main').innerText(), /No entries match/);
    // Today, in UK time, keeps today's entries.
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' }).format(new Date()).split('/');
    await page.goto(`${server.url}/orgs/DEMO1/audit?from-day=${today[0]}&from-month=${today[1]}&from-year=${today[2]}&to-day=${today[0]}&to-month=${today[1]}&to-year=${today[2]}`);
    assert.match(await showing(), /^Showing 1 to/);

    // The form works without JavaScript, and the log fits a 320 pixel phone.
    const phone = await newPage(browser, { viewport: { width: 320, height: 640 }, javaScriptEnabled: false });
    await signInWithSecondStep(phone, server.url, 'admin@demo.nhs.uk');
    await phone.goto(`${server.url}/orgs/DEMO1/audit`);
    await fits(phone);
    await phone.selectOption('#kind', 'role');
    await phone.click('button:has-text("Show entries")');
    assert.match(new URL(phone.url()).search, /kind=role/);
    await fits(phone);
    await phone.context().close();
  });
});

describe('names, not addresses', () => {
  test('plan history and the audit log say who by name', async () => {
    // The executive changes the plan, so its history has a change by a person.
    const exec = await newPage(browser);
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    await exec.goto(`${server.url}/orgs/DEMO1/plans`);
    await exec.click('main a:has-text("Respect at work 2026 to 2027")');
    const plan = new URL(exec.url()).pathname;
    await exec.click('a:has-text("Change, remove or see the history")');
    const title = await exec.inputValue('#title');
    await exec.fill('#title', `${title} (named)`);
    await exec.click('button:has-text("Save changes")');
    await exec.goto(`${server.url}${plan}/history`);
    const who = (await exec.locator('tbody tr td:nth-child(4)').allInnerTexts()).map((t) => t.trim());
    assert.ok(who.includes('Ezra Executive'), who.join(', '));
    assert.ok(who.every((w) => !w.includes('@')), `an address in the history: ${who.join(', ')}`);
    await checkAccessibility(exec, assert);
    // An action's own history too.
    await exec.goBack();
    await exec.goto(`${server.url}${plan}`);
    await exec.click('a:has-text("Change, remove or see the history")');
    assert.doesNotMatch(await exec.locator('main').innerText(), /@demo\.nhs\.uk/);

    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.goto(`${server.url}/orgs/DEMO1/audit`);
    const actors = (await admin.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.trim());
    assert.ok(actors.includes('Ezra Executive'), actors.join(', '));
    assert.ok(actors.every((a) => !a.includes('@')), `an address in the audit log: ${actors.join(', ')}`);
  });
});
