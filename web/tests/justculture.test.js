// The just culture decision guide in a real browser: a manager walks the five questions,
// sees what the guide suggests, decides on a formal process and is told it waits; an
// employee relations lead reads the record and records the independent check. axe and
// the reflow check pass on every page, and the guide works without JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, checkReflow, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

const INCIDENT = 'Left the drugs cupboard open on ward 9 after being told twice.';

test('a manager uses the guide and an employee relations lead checks the decision', async () => {
  const manager = await newPage(browser);
  await signIn(manager, server.url, 'staff@demo.nhs.uk');
  await manager.click('a:has-text("Just culture decision guide")');
  assert.equal(await manager.locator('h1').innerText(), 'Just culture');
  await checkAccessibility(manager, assert);
  await manager.click('a:has-text("Start the decision guide")');
  assert.equal(await manager.locator('h1').innerText(), 'Decision guide');
  await checkAccessibility(manager, assert);
  await checkReflow(manager, assert);

  // Asking for the suggestion with nothing answered names each gap and links to it.
  await manager.click('button:has-text("See what the guide suggests")');
  assert.match(await manager.locator('.nhsuk-error-summary').innerText(), /Answer the question: Did they mean to cause harm\?/);
  await checkAccessibility(manager, assert);

  await manager.fill('#person_name', 'Alex Example');
  await manager.fill('#incident', INCIDENT);
  await manager.check('#q-harm_intended-no');
  await manager.fill('#reason-harm_intended', 'They were rushing, not trying to hurt anyone.');
  await manager.check('#q-ill_health-no');
  await manager.fill('#reason-ill_health', 'No sign of it, and they say they were well.');
  await manager.check('#q-foresight');
  await manager.fill('#reason-foresight', 'The rule is clear, posted on the door and everyone follows it.');
  await manager.check('#q-substitution-no');
  await manager.fill('#reason-substitution', 'Nobody else on the ward has done this.');
  await manager.check('#q-mitigation-no');
  await manager.fill('#reason-mitigation', 'Normal staffing that night.');
  await manager.click('button:has-text("See what the guide suggests")');
  const suggestion = await manager.locator('.nhsuk-card--feature').innerText();
  assert.match(suggestion, /Informal management action/);
  await checkAccessibility(manager, assert);
  await checkReflow(manager, assert);

  // Choosing something else without a reason is refused, and nothing typed is lost.
  await manager.check('#decided-formal');
  await manager.click('button:has-text("Record my decision")');
  assert.match(await manager.locator('.nhsuk-error-summary').innerText(), /Say why you chose differently/);
  assert.equal(await manager.inputValue('#incident'), INCIDENT);
  await manager.check('#decided-formal');
  await manager.fill('#decision_reason', 'Third time after two informal talks.');
  await manager.click('button:has-text("Record my decision")');
  assert.match(await manager.locator('.nhsuk-notification-banner').innerText(), /Your decision is recorded/);
  const main = await manager.locator('main').innerText();
  assert.match(main, /Waiting for a check/);
  assert.ok(!main.includes(INCIDENT), 'the manager does not see the words again');
  const recordUrl = manager.url().split('?')[0];
  await checkAccessibility(manager, assert);

  // The employee relations lead finds it waiting, reads it and agrees.
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.click('a:has-text("Just culture: decision guide records and checks")');
  assert.match(await lead.locator('h2:has-text("Records")').innerText(), /waiting for a check/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);
  await lead.goto(recordUrl);
  const text = await lead.locator('main').innerText();
  assert.ok(text.includes(INCIDENT), text);
  assert.ok(text.includes('Third time after two informal talks.'));
  await checkAccessibility(lead, assert);
  await lead.click('button:has-text("Record my check")');
  assert.match(await lead.locator('.nhsuk-error-summary').innerText(), /Give a reason for your check/);
  await checkAccessibility(lead, assert);
  await lead.check('#agreed');
  await lead.fill('#check_reason', 'Two informal talks are on file. A formal process is fair.');
  await lead.click('button:has-text("Record my check")');
  assert.match(await lead.locator('main').innerText(), /Agreed, by Erin Relations/);
  await checkAccessibility(lead, assert);

  await manager.goto(recordUrl);
  assert.match(await manager.locator('main').innerText(), /agreed that a formal process may start/);
});

test('the guide works with JavaScript turned off', async () => {
  // axe needs JavaScript, so this page is checked by the test above; here only that
  // both steps work as plain forms.
  const manager = await newPage(browser, { javaScriptEnabled: false });
  await signIn(manager, server.url, 'staff@demo.nhs.uk');
  await manager.goto(`${server.url}/orgs/DEMO1/just-culture/guide`);
  await manager.fill('#person_name', 'Sam Sample');
  await manager.fill('#incident', 'Missed a handover.');
  await manager.check('#q-harm_intended-no');
  await manager.fill('#reason-harm_intended', 'A busy shift.');
  await manager.check('#q-ill_health');
  await manager.fill('#reason-ill_health', 'Back pain all week.');
  await manager.click('button:has-text("See what the guide suggests")');
  assert.match(await manager.locator('.nhsuk-card--feature').innerText(), /Occupational health/);
  await manager.check('#decided-occupational_health');
  await manager.click('button:has-text("Record my decision")');
  const main = await manager.locator('main').innerText();
  assert.match(main, /Your decision is recorded/);
  assert.match(main, /Occupational health/);
  assert.match(main, /Not needed/);
});
