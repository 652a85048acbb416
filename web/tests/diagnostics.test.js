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
  assert.match(await staff.locator('main').innerText(), /once you have sent yours/);
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
  await admin.locator('details summary >> nth=0').click();
  await forms.nth(0).locator('select').selectOption('3');
  await forms.nth(0).locator('button').click();
  assert.match(await admin.locator('.nhsuk-error-summary').innerText(), /Say why this rating was agreed/);
  await checkAccessibility(admin, assert);
  const statements = await admin.locator('form[action$="/agree"]').count();
  assert.equal(statements, 30);
  for (let i = 0; i < statements; i += 1) {
    await admin.goto(`${server.url}${round}`);
    await admin.locator('details summary').nth(i).click();
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
