// Culture and care (issue 23), in real Chromium with axe: a national analyst reads how a
// culture figure and an outcome relate across the demo's trusts, with the chart and the
// table beside it; a trust's executive sees where the trust sits, with no other trust named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

describe('culture and care', () => {
  test('an analyst picks a culture figure and an outcome and reads the chart and its table', async () => {
    const page = await newPage(browser);
    await signInWithSecondStep(page, server.url, 'analyst@demo.nhs.uk');
    await page.goto(`${server.url}/home`);
    await page.click('main a:has-text("Culture and care across organisations")');
    assert.equal(await page.locator('h1').innerText(), 'Culture and care across organisations');
    assert.match(await page.locator('main').innerText(), /do not show that one causes the other/);
    await checkAccessibility(page, assert);

    await page.selectOption('#culture', 'speaking_up');
    await page.selectOption('#outcome', 'staff_turnover');
    await page.click('button:has-text("Show")');
    assert.equal(await page.locator('#chosen').innerText(), 'Speaking-up index (0 to 100) and Staff leaving rate (%)');
    assert.match(await page.locator('main').innerText(), /What this shows: (A (weak|moderate|strong) link|No clear link) across \d+ organisations/);
    // The chart is a picture of the table beside it: one mark per row.
    const marks = await page.locator('#chosen ~ figure svg circle').count();
    const rows = await page.locator('table:has(caption:has-text("The organisations in the chart")) tbody tr').count();
    assert.ok(rows >= 5, `${rows} organisations`);
    assert.equal(marks, rows);
    assert.match(await page.locator('#chosen ~ figure svg title').textContent(), /Speaking-up index/);
    await checkAccessibility(page, assert);

    // Every pair's line links to its chart.
    await page.click('table:has(caption:has-text("Staff harassed, bullied or abused by managers")) a:has-text("Sickness absence rate")');
    assert.equal(await page.locator('#chosen').innerText(), 'Staff harassed, bullied or abused by managers (%) and Sickness absence rate (%)');
    await page.context().close();
  });

  test("a trust's executive sees where the trust sits and its own figures over the years", async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'exec@demo.nhs.uk');
    await page.goto(`${server.url}/home`);
    await page.click('main a:has-text("Culture and care: your culture beside your outcomes")');
    assert.equal(await page.locator('h1').innerText(), 'Culture and care');
    const main = await page.locator('main').innerText();
    assert.match(main, /Your figures: /);
    assert.match(main, /Your organisation is the red square|of \d+, highest first/);
    // No other trust is named on a trust's own page.
    assert.doesNotMatch(main, /Eastbrook|Hillcrest|Seaview|DEMO4/);
    assert.ok(await page.locator('table:has(caption:has-text("by year")) tbody tr').count() > 5);
    await checkAccessibility(page, assert);
    await page.context().close();
  });
  test('an executive reads the quarter\'s board pack on the page, issues it, and finds it kept', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'exec@demo.nhs.uk');
    await page.goto(`${server.url}/home`);
    await page.click('main a:has-text("Board pack: every figure for a quarter")');
    assert.match(await page.locator('h1').innerText(), /^Board pack: /);
    const sections = await page.locator('main section h2').allInnerTexts();
    assert.deepEqual(sections, [
      'Speaking up', 'Staff survey', 'Race and disability equality', 'Fairness in employee relations',
      'Action plan progress', 'Culture self-assessment', 'Staff voice', 'Outcomes for patients and staff',
    ]);
    assert.equal(await page.locator('main section .nhsuk-inset-text:has-text("What this shows:")').count(), sections.length);
    await checkAccessibility(page, assert);

    // An earlier quarter, chosen without any script.
    const second = await page.locator('#quarter option').nth(1).getAttribute('value');
    await page.selectOption('#quarter', second);
    await page.click('button:has-text("Show this quarter")');
    assert.equal(await page.locator('#quarter').inputValue(), second);

    // The PDF link gives a PDF.
    const href = await page.locator('a:has-text("as a PDF")').getAttribute('href');
    const pdf = await page.request.get(new URL(href, page.url()).href);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');

    await page.click('button:has-text("Issue the pack")');
    assert.match(page.url(), /\/orgs\/DEMO1\/board-packs\/\d+$/);
    assert.match(await page.locator('main').innerText(), /exactly as it was issued/);
    assert.match(await page.locator('.dignity-secret').innerText(), /^[0-9a-f]{64}$/);
    await checkAccessibility(page, assert);
    // On a phone, nothing runs off the side.
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
    await page.context().close();
  });
});
