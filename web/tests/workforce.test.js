// The workforce page in a real browser: the demo's administrator and executive reach it
// from their home page, it shows the demo's made-up staff in post with small groups
// hidden, every chart has its table, and axe and the reflow check pass. A union partner
// is not offered it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, checkReflow, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

test('an administrator reads the workforce figures', async () => {
  const admin = await newPage(browser);
  await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
  await admin.click('a:has-text("Workforce figures")');
  assert.equal(await admin.locator('h1').innerText(), 'Workforce');
  const text = await admin.locator('main').innerText();
  assert.match(text, /These figures are for staff in post on \d{1,2} \w+ \d{4}/);
  assert.match(text, /groups of fewer than 10 people are hidden/);
  // Each chart is a picture of the table after it.
  const charts = await admin.locator('main svg').count();
  assert.ok(charts >= 5, `${charts} charts`);
  assert.equal(await admin.locator('main table').count(), charts + 1, 'a table for every chart, and the units');
  // No shown count in a breakdown is below the minimum.
  const cells = await admin.locator('main table td.nhsuk-table__cell--numeric').allInnerTexts();
  for (const cell of cells) {
    const n = Number(cell.replace(/,/g, ''));
    if (!cell.endsWith('%') && Number.isInteger(n)) assert.ok(n === 0 || n >= 10, `a shown count of ${n}`);
  }
  await checkAccessibility(admin, assert);
  await checkReflow(admin, assert);

  // Another day's figures, chosen with the form (no JavaScript needed: a plain GET).
  if (await admin.locator('#day').count()) {
    const days = await admin.locator('#day option').allInnerTexts();
    await admin.selectOption('#day', { index: days.length - 1 });
    await admin.click('button:has-text("Show these figures")');
    assert.match(await admin.locator('main').innerText(), new RegExp(`staff in post on ${days[days.length - 1]}`));
    await checkAccessibility(admin, assert);
  }
});

test('an executive is offered the figures and a union partner is not', async () => {
  const exec = await newPage(browser);
  await signIn(exec, server.url, 'exec@demo.nhs.uk');
  assert.equal(await exec.locator('a:has-text("Workforce figures")').count(), 1);
  const union = await newPage(browser);
  await signIn(union, server.url, 'union@demo.nhs.uk');
  assert.equal(await union.locator('a:has-text("Workforce figures")').count(), 0);
  const refused = await union.goto(`${server.url}/orgs/DEMO1/workforce`);
  assert.equal(refused.status(), 403);
});
