// A self-assessment round in a real browser, from invitation to sign-off: an org admin
// opens a round and asks the demo's staff member to rate; they try to send too early,
// then rate every part and send; the admin agrees every statement; an executive and a
// union partner sign it off. axe and the reflow check pass on every page and error state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, checkReflow, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

test('a round runs from invitation to sign-off', async () => {
  const admin = await newPage(browser);
  await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
  await admin.goto(`${server.url}/home`);
  await admin.click('a:has-text("Self-assessments of wellbeing and culture")');
  assert.equal(await admin.locator('h1').innerText(), 'Self-assessments');
  await checkAccessibility(admin, assert);

  // Nothing chosen: the error summary names both fields.
  await admin.click('button:has-text("Start the round")');
  assert.match(await admin.locator('.nhsuk-error-summary').innerText(), /Choose a framework/);
  await checkAccessibility(admin, assert);
  await admin.check('label:has-text("Culture and leadership self-assessment")');
  await admin.fill('#title', 'Culture in the browser');
  await admin.click('button:has-text("Start the round")');
  assert.equal(await admin.locator('h1').innerText(), 'Culture in the browser');
  await admin.fill('#email', 'staff@demo.nhs.uk');
  await admin.selectOption('#role', 'network_chair');
  await admin.click('button:has-text("Ask them to rate")');
  assert.match(await admin.locator('.nhsuk-notification-banner').innerText(), /asked to rate/);
  await checkAccessibility(admin, assert);
  await checkReflow(admin, assert);
  const round = new URL(admin.url()).pathname;

  const staff = await newPage(browser);
  await signIn(staff, server.url, 'staff@demo.nhs.uk');
  await staff.goto(`${server.url}${round}`);
  assert.match(await staff.locator('main').innerText(), /0 of 1 people asked have sent their ratings/);
  await staff.click('a:has-text("Start rating")');
  assert.match(await staff.locator('h1').innerText(), /^Part 1 of 6/);
  await checkAccessibility(staff, assert);
  await checkReflow(staff, assert);
  await staff.click('button:has-text("Save and send all my ratings")');
  assert.match(await staff.locator('.nhsuk-error-summary').innerText(), /Rate every statement before you send/);
  await checkAccessibility(staff, assert);
  for (let part = 1; part <= 6; part += 1) {
    const radios = staff.locator('input[type="radio"][value="3"]');
    const count = await radios.count();
    for (let i = 0; i < count; i += 1) {
      await radios.nth(i).check();
    }
    if (part < 6) {
      await staff.click('button:has-text("Save and go to the next part")');
      assert.match(await staff.locator('h1').innerText(), new RegExp(`^Part ${part + 1} of 6`));
    } else {
      await staff.click('button:has-text("Save and send all my ratings")');
    }
  }
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /ratings have been sent/);
  assert.match(await staff.locator('main').innerText(), /What everyone rated/);
  await checkAccessibility(staff, assert);

  // The lead agrees every statement, each with a reason; a missing reason is named.
  const forms = admin.locator('form[action$="/agree"]');
  await admin.goto(`${server.url}${round}`);
  const agreeSummaries = admin.locator('details:has(form[action$="/agree"]) summary');
  await agreeSummaries.nth(0).click();
  await forms.nth(0).locator('select').selectOption('3');
  await forms.nth(0).locator('button').click();
  assert.match(await admin.locator('.nhsuk-error-summary').innerText(), /Say why this rating was agreed/);
  await checkAccessibility(admin, assert);
  const statements = await admin.locator('form[action$="/agree"]').count();
  assert.equal(statements, 30);
  for (let i = 0; i < statements; i += 1) {
    await admin.goto(`${server.url}${round}`);
    await agreeSummaries.nth(i).click();
    const form = admin.locator('form[action$="/agree"]').nth(i);
    await form.locator('select').selectOption('3');
    await form.locator('textarea').fill('The sides agreed at the forum.');
    await form.locator('button').click();
  }
  assert.match(await admin.locator('main').innerText(), /Every rating agreed, waiting to be signed off/);
  await checkAccessibility(admin, assert);
  await checkReflow(admin, assert);

  for (const [email, side] of [['exec@demo.nhs.uk', 'employer'], ['union@demo.nhs.uk', 'union']]) {
    const signer = await newPage(browser);
    await signInWithSecondStep(signer, server.url, email);
    await signer.goto(`${server.url}${round}`);
    await signer.click(`button:has-text("Sign off for the ${side === 'employer' ? 'employer' : 'trade union'} side")`);
    assert.match(await signer.locator('.nhsuk-notification-banner').innerText(), /You have signed the round/);
    await checkAccessibility(signer, assert);
  }
  await admin.goto(`${server.url}${round}`);
  assert.match(await admin.locator('main').innerText(), /Signed off by both sides/);
});

// Last year's round beside the one before it, and a weak part made into a draft action in
// the partnership plan, whose progress then shows on the round.
test('a round compares with the last one, and a part goes into the plan', async () => {
  const exec = await newPage(browser);
  await signInWithSecondStep(exec, server.url, 'exec@demo.nhs.uk');
  await exec.goto(`${server.url}/orgs/DEMO1/self-assessments`);
  await exec.click('a:has-text("Health and wellbeing, last year")');
  const main = exec.locator('main');
  assert.match(await main.innerText(), /Last round is Health and wellbeing, two years ago/);
  assert.equal(await exec.locator('main svg[role="img"] title').first().textContent(), 'How each part is rated');
  assert.match(await exec.locator('table').first().innerText(), /Change/);
  // The demo plan already answers last year's weakest part.
  assert.match(await main.innerText(), /Act on the weakest part of our health and wellbeing self-assessment/);
  await checkAccessibility(exec, assert);
  await checkReflow(exec, assert);

  const details = exec.locator('details:has(form[action$="/plan"])').nth(1);
  await details.locator('summary').click();
  await details.locator('button:has-text("Add to our plan")').click();
  assert.match(await exec.locator('.nhsuk-error-summary').innerText(), /Choose a plan and commitment/);
  await checkAccessibility(exec, assert);
  const again = exec.locator('details[open]:has(form[action$="/plan"])');
  await again.locator('select').selectOption({ index: 1 });
  await again.locator('input[name="title"]').fill('Listening sessions in every team');
  await again.locator('button:has-text("Add to our plan")').click();
  assert.match(await exec.locator('.nhsuk-notification-banner').innerText(), /added to the plan as a draft/);
  assert.match(await main.innerText(), /Listening sessions in every team \(Respect at work 2026 to 2027\): a draft, not yet signed by both sides/);
  await checkAccessibility(exec, assert);

  // The downloads are files, not pages.
  const [download] = await Promise.all([
    exec.waitForEvent('download'),
    exec.click('a:has-text("Download a one-page summary (PDF)")'),
  ]);
  assert.equal(download.suggestedFilename(), `self-assessment-DEMO1-${new URL(exec.url()).pathname.split('/').pop()}.pdf`);
});

// The board's system lead sees the trusts in its area side by side; a national analyst
// chooses any area. axe and the reflow check pass on both.
test('a system view sets organisations side by side', async () => {
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'system@demo.nhs.uk');
  await lead.goto(`${server.url}/home`);
  await lead.click('a:has-text("Self-assessments across your area")');
  assert.match(await lead.locator('h1').innerText(), /Northfield and Millbrook Integrated Care Board/);
  const main = lead.locator('main');
  assert.match(await main.innerText(), /signed off by both sides: 2 of 2/);
  assert.match(await main.innerText(), /Millbrook Acute NHS Trust/);
  assert.doesNotMatch(await main.innerText(), /Riverside Mental Health/);
  assert.match(await main.innerText(), /Gaps in common/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  const analyst = await newPage(browser);
  await signInWithSecondStep(analyst, server.url, 'analyst@demo.nhs.uk');
  await analyst.goto(`${server.url}/national/self-assessments`);
  assert.match(await analyst.locator('main').innerText(), /Riverside Mental Health/);
  await analyst.selectOption('#area', { label: 'Midlands' });
  await analyst.click('button:has-text("Show")');
  assert.match(await analyst.locator('h1').innerText(), /the Midlands region/);
  assert.doesNotMatch(await analyst.locator('main').innerText(), /Northfield Hospitals/);
  await checkAccessibility(analyst, assert);
  await checkReflow(analyst, assert);
});
