// Board members' fit and proper person records in a real browser: the company secretary
// records a check and asks another trust for a member's reference, which its company
// secretary releases; the chair and the senior independent director conclude the year's
// round, the chair signs the return, and the public and national registers and the
// region's page show it. axe and the reflow check pass on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

const EVIDENCE = 'Enhanced certificate seen, number kept in the personnel file.';
const REASON = 'The searches are booked and the agency is late.';

/** Concludes "fit and proper" for every member this person may conclude about, on the
 * round page they are on. Returns how many. */
async function concludeEveryone(page, roundUrl) {
  await page.goto(roundUrl);
  const actions = await page.locator('form[action*="/conclude"]').evaluateAll(
    (forms) => forms.map((f) => f.getAttribute('action')),
  );
  for (const action of actions) {
    await page.goto(roundUrl);
    const form = page.locator(`form[action="${action}"]`);
    await form.locator('input[value=fit]').check();
    await form.locator('textarea[name=why_without]').fill(REASON);
    await form.locator('button[type=submit]').click();
    assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /Your conclusion is recorded/);
  }
  return actions.length;
}

test('a year of fit and proper checks, from a record to the public register', async () => {
  // The company secretary sees what is due and records a check.
  const secretary = await newPage(browser);
  await signInWithSecondStep(secretary, server.url, 'secretary@demo.nhs.uk');
  await secretary.goto(`${server.url}/orgs/DEMO1/board`);
  assert.equal(await secretary.locator('h1').innerText(), 'Board members');
  await checkAccessibility(secretary, assert);
  await secretary.click('a:has-text("Tom Nurse")');
  assert.equal(await secretary.locator('h1').innerText(), 'Tom Nurse');
  await checkAccessibility(secretary, assert);
  await secretary.click('button:has-text("Record the check")');
  const summary = await secretary.locator('.nhsuk-error-summary').innerText();
  assert.match(summary, /Choose which check this is/);
  assert.match(summary, /Enter the day of the check/);
  await checkAccessibility(secretary, assert);
  await secretary.check('#kind');
  const today = new Date();
  await secretary.fill('#done_on-day', String(today.getUTCDate()));
  await secretary.fill('#done_on-month', String(today.getUTCMonth() + 1));
  await secretary.fill('#done_on-year', String(today.getUTCFullYear()));
  await secretary.check('#result');
  await secretary.fill('#evidence', EVIDENCE);
  await secretary.click('button:has-text("Record the check")');
  assert.match(await secretary.locator('.nhsuk-notification-banner').innerText(), /The check is recorded/);
  assert.match(await secretary.locator('main').innerText(), /Enhanced certificate seen/);

  // Tom Nurse came from the ambulance trust: the secretary asks it for his reference,
  // its company secretary releases it, and it shows on his record here.
  await secretary.click('button:has-text("Ask Moorland Ambulance Service NHS Trust (demo) for its reference")');
  assert.match(await secretary.locator('.nhsuk-notification-banner').innerText(), /The reference is asked for/);
  await checkAccessibility(secretary, assert);
  const tomRecord = secretary.url().split('?')[0];
  const ambulance = await newPage(browser);
  await signInWithSecondStep(ambulance, server.url, 'secretary.ambulance@demo.nhs.uk');
  await ambulance.goto(`${server.url}/orgs/DEMO3/board`);
  await checkAccessibility(ambulance, assert);
  await ambulance.click('#references-asked + ul a:has-text("Tom Nurse")');
  assert.match(await ambulance.locator('#references ~ .nhsuk-card').first().innerText(), /Led the trust's work/);
  await ambulance.click('button:has-text("Release the reference to Northfield Hospitals NHS Foundation Trust (demo)")');
  assert.match(await ambulance.locator('.nhsuk-notification-banner').innerText(), /The reference is released/);
  await checkAccessibility(ambulance, assert);
  await secretary.goto(tomRecord);
  assert.match(await secretary.locator('main').innerText(), /Moorland Ambulance Service NHS Trust \(demo\)'s reference/);
  assert.match(await secretary.locator('main').innerText(), /Led the trust's work/);
  await checkAccessibility(secretary, assert);

  // The chair concludes for everyone but themself; the senior independent director
  // concludes about the chair; then the chair signs.
  const chair = await newPage(browser);
  await signInWithSecondStep(chair, server.url, 'chair@demo.nhs.uk');
  await chair.goto(`${server.url}/orgs/DEMO1/board`);
  const year = String(today.getUTCFullYear());
  await chair.click(`a:has-text("The ${year} round")`);
  const roundUrl = chair.url().split('?')[0];
  assert.match(await chair.locator('h1').innerText(), /fit and proper round/);
  await checkAccessibility(chair, assert);
  // Concluding without the reason the missing checks need names the gap.
  const first = chair.locator('form[action*="/conclude"]').first();
  await first.locator('input[value=fit]').check();
  await first.locator('button[type=submit]').click();
  assert.match(await chair.locator('.nhsuk-error-summary').innerText(), /Say why you are concluding without them/);
  await checkAccessibility(chair, assert);
  assert.equal(await concludeEveryone(chair, roundUrl), 3);
  await chair.click('button:has-text("Sign the return")');
  assert.match(await chair.locator('.nhsuk-error-summary').innerText(), /1 is still to do/);

  const sid = await newPage(browser);
  await signInWithSecondStep(sid, server.url, 'priya.nonexec@demo.nhs.uk');
  assert.equal(await concludeEveryone(sid, roundUrl), 1);
  await checkAccessibility(sid, assert);

  await chair.goto(roundUrl);
  await chair.click('button:has-text("Sign the return")');
  assert.match(await chair.locator('.nhsuk-notification-banner').innerText(), /The annual return is signed/);
  assert.ok(await chair.locator('a:has-text("a one-page PDF")').isVisible());
  await checkAccessibility(chair, assert);

  // Anyone can see the board on the public register: names and whether they are fit and
  // proper, and nothing the checks found.
  const visitor = await newPage(browser);
  await visitor.goto(`${server.url}/`);
  await visitor.click('a:has-text("See the register of board members")');
  assert.equal(await visitor.locator('h1').innerText(), 'Register of NHS board members');
  await checkAccessibility(visitor, assert);
  await visitor.click('a:has-text("Northfield Hospitals")');
  const board = await visitor.locator('main').innerText();
  assert.match(board, /Tom Nurse/);
  assert.match(board, /Yes, assessed on/);
  assert.ok(!board.includes(EVIDENCE) && !board.includes(REASON));
  await checkAccessibility(visitor, assert);

  // An analyst searches the national register.
  const analyst = await newPage(browser);
  await signInWithSecondStep(analyst, server.url, 'analyst@demo.nhs.uk');
  await analyst.goto(`${server.url}/national/boards`);
  assert.equal(await analyst.locator('h1').innerText(), 'National register of board members');
  await analyst.fill('#q', 'Tom');
  await analyst.click('button:has-text("Search")');
  // Tom Nurse is there twice: on this board, and on the board he left.
  assert.match(await analyst.locator('caption').innerText(), /^2 board members$/);
  await checkAccessibility(analyst, assert);

  // The region's director sees the signed return beside the region's other boards, and
  // downloads it as one page.
  const director = await newPage(browser);
  await signInWithSecondStep(director, server.url, 'region@demo.nhs.uk');
  await director.click('a:has-text("Fit and proper returns of the boards in your region")');
  assert.match(await director.locator('h1').innerText(), new RegExp(`Fit and proper returns for ${year}`));
  const row = director.locator('tr', { hasText: 'Northfield Hospitals' });
  assert.match(await row.innerText(), /Signed/);
  await checkAccessibility(director, assert);
  const pdfLink = await row.locator('a:has-text("PDF")').getAttribute('href');
  const pdf = await director.request.get(`${server.url}${pdfLink}`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
});
