// Fairness in employee relations cases in a real browser: a union partner reads the
// demo's settled year by ethnicity and moves between the measures; an employee relations
// lead sees how others were treated beside the check of a formal decision; an executive
// reads the cost of bullying and changes an assumption; analysts read both nationally. axe and the
// reflow check pass on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, checkReflow, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

test('a union partner reads each group against the rest, measure by measure', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'union@demo.nhs.uk');
  await page.goto(`${server.url}/orgs/DEMO1/workforce/wres`);
  await page.click('a:has-text("See whether employee relations cases are fair")');
  assert.equal(await page.locator('h1').innerText(), 'Fairness in employee relations cases');
  const main = await page.locator('main').innerText();
  // The demo's year has settled (it is the year before this one) unless today is in April.
  if (!/There are no figures yet/.test(main)) {
    assert.match(main, /Conduct investigations, \d{4}\/\d{2}/);
    const white = await page.locator('#ethnicity ~ table >> nth=0').locator('tr:has-text("White")').innerText();
    assert.match(white, /\d+/, 'White staff in post are shown');
    await checkAccessibility(page, assert);
    await checkReflow(page, assert);
    await page.click('a:has-text("Suspensions")');
    assert.equal(await page.locator('h2:has-text("Suspensions, ")').count(), 1);
    assert.match(await page.locator('[aria-current="page"]').innerText(), /Suspensions/);
    await checkAccessibility(page, assert);
    await page.click('a:has-text("Outcomes")');
    assert.match(await page.locator('main').innerText(), /Middle time from investigation to outcome/);
    await checkAccessibility(page, assert);
    await checkReflow(page, assert);
  } else {
    await checkAccessibility(page, assert);
  }
  // A measure that is not on the list is refused in words.
  const refused = await page.goto(`${server.url}/orgs/DEMO1/workforce/fairness?measure=nonsense`);
  assert.equal(refused.status(), 400);
  assert.match(await page.locator('main').innerText(), /Choose a measure from the list/);
});

test('the lead checking a formal decision sees how others were treated', async () => {
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.goto(`${server.url}/orgs/DEMO1/just-culture`);
  // The demo's record waiting for its check is the newest.
  await lead.click('table a >> nth=0');
  assert.equal(await lead.locator('#fairness').innerText(), 'How others were treated');
  const panel = await lead.locator('main').innerText();
  assert.match(panel, /Started a conduct investigation/);
  assert.match(panel, /Black and minority ethnic/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);
});

test('a national analyst reads every organisation side by side', async () => {
  const page = await newPage(browser);
  await signInWithSecondStep(page, server.url, 'analyst@demo.nhs.uk');
  await page.goto(`${server.url}/national/workforce`);
  await page.click('a:has-text("See fairness in employee relations cases")');
  assert.equal(await page.locator('h1').innerText(), 'Fairness in employee relations cases: every organisation');
  const main = await page.locator('main').innerText();
  if (!/No organisation has fairness figures yet/.test(main)) {
    assert.match(main, /Northfield Hospitals NHS Foundation Trust \(demo\) \(DEMO1\)/);
  }
  await checkAccessibility(page, assert);
  await checkReflow(page, assert);
});

test('an executive reads the cost of bullying and puts in their own daily pay', async () => {
  const page = await newPage(browser);
  await signInWithSecondStep(page, server.url, 'exec@demo.nhs.uk');
  await page.goto(`${server.url}/orgs/DEMO1/workforce`);
  await page.click('a:has-text("See what bullying and harassment cost each year")');
  assert.equal(await page.locator('h1').innerText(), 'The cost of bullying and harassment');
  const main = await page.locator('main').innerText();
  // The demo's year has settled (it is the year before this one) unless today is in April.
  const settled = !/There is no estimate yet/.test(main);
  if (settled) {
    assert.match(await page.locator('#total').innerText(), /^£[\d.,]+( million)? to £[\d.,]+( million)?$/);
    assert.match(main, /From the survey "/);
  }
  await checkAccessibility(page, assert);
  await checkReflow(page, assert);

  await page.click('a:has-text("Change the assumptions")');
  assert.equal(await page.locator('h1').innerText(), 'Change the assumptions');
  await checkAccessibility(page, assert);
  await page.fill('#daily_pay', 'a lot');
  const refused = await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the assumptions")')]);
  assert.equal(refused[0].status(), 422);
  const summary = await page.locator('.nhsuk-error-summary').innerText();
  assert.match(summary, /Pay for one working day must be a number from 1 to 2,000/);
  assert.match(summary, /Say why in a sentence or two/);
  await checkAccessibility(page, assert);
  await checkReflow(page, assert);

  await page.fill('#daily_pay', '165.50');
  await page.fill('#reason', 'Our own average daily pay from this year\'s accounts.');
  await page.click('button:has-text("Save the assumptions")');
  const saved = await page.locator('main').innerText();
  assert.match(saved, /Your changes are saved/);
  assert.match(saved, /Pay for one working day set to £165.50 by .+ Reason: Our own average daily pay/);
  await checkAccessibility(page, assert);
});

test('a national analyst reads every organisation\'s cost of bullying and their sum', async () => {
  const page = await newPage(browser);
  await signInWithSecondStep(page, server.url, 'analyst@demo.nhs.uk');
  await page.goto(`${server.url}/national/workforce`);
  await page.click('a:has-text("See what bullying and harassment cost in every organisation")');
  assert.equal(await page.locator('h1').innerText(), 'The cost of bullying and harassment: every organisation');
  const main = await page.locator('main').innerText();
  if (!/No organisation has an estimate yet/.test(main)) {
    assert.match(main, /National total/);
    assert.match(main, /Northfield Hospitals NHS Foundation Trust \(demo\) \(DEMO1\)/);
  }
  await checkAccessibility(page, assert);
  await checkReflow(page, assert);
});
