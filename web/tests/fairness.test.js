// Fairness in employee relations cases in a real browser: a union partner reads the
// demo's settled year by ethnicity and moves between the measures; an employee relations
// lead sees how others were treated beside the check of a formal decision. axe and the
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
