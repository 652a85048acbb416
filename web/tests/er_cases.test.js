// Employee relations cases in a real browser: a lead checks the demo's waiting decision
// guide record, opens a conduct case from it and takes it through a hearing and an
// appeal; then records a suspension review with its wellbeing check; then fails and fixes
// the time limits form; and an investigating officer reads their one case and adds a
// finding; and a grievance raised through Speak Up opens its case. axe and the reflow
// check pass on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, checkReflow, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** Fills an NHS date input with today's date, moved by `days`. */
async function fillDate(page, id, days = 0) {
  const when = new Date(Date.now() + days * 86_400_000);
  await page.fill(`#${id}-day`, String(when.getUTCDate()));
  await page.fill(`#${id}-month`, String(when.getUTCMonth() + 1));
  await page.fill(`#${id}-year`, String(when.getUTCFullYear()));
}

async function moveTo(page, stage, extra = async () => {}) {
  await page.check(`input[name="to"][value="${stage}"]`);
  await fillDate(page, 'on');
  await extra();
  await page.click('button:has-text("Move the case")');
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /The case has moved on/);
}

test('a conduct case waits for the check, then runs through a hearing to appeal', async () => {
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.click('a:has-text("Employee relations cases")');
  assert.equal(await lead.locator('h1').innerText(), 'Employee relations cases');
  const list = await lead.locator('main').innerText();
  assert.match(list, /Suspension reviews due/);
  assert.match(list, /Past their time limit/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  // The demo's formal decision waits for its check; a conduct investigation is refused.
  await lead.click('a:has-text("Open a case")');
  assert.equal(await lead.locator('h1').innerText(), 'Open a case');
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);
  await lead.click('button:has-text("Open the case")');
  assert.match(await lead.locator('.nhsuk-error-summary').innerText(), /Choose the type of case/);
  await checkAccessibility(lead, assert);
  await lead.check('#case_type');
  await lead.selectOption('#guide', { index: 1 });
  await lead.fill('#person_name', 'Jordan Demo');
  await lead.check('#first_stage-investigation');
  await lead.fill('#summary', 'Shouted at a student nurse during handover, the third time this month.');
  await lead.click('button:has-text("Open the case")');
  assert.match(await lead.locator('.nhsuk-error-summary').innerText(), /can start only after an employee relations lead has checked/);
  assert.equal(await lead.inputValue('#summary'), 'Shouted at a student nurse during handover, the third time this month.');

  // The lead checks the record and agrees, then opens the case from it.
  await lead.goto(`${server.url}/orgs/DEMO1/just-culture`);
  await lead.click('table a >> nth=0');
  await lead.check('#agreed');
  await lead.fill('#check_reason', 'Two informal talks are on file.');
  await lead.click('button:has-text("Record my check")');
  await lead.click('a:has-text("Open a conduct case from this record")');
  assert.equal(await lead.locator('#case_type').isChecked(), true);
  await lead.fill('#person_name', 'Jordan Demo');
  await lead.check('#first_stage-investigation');
  await lead.fill('#summary', 'Shouted at a student nurse during handover, the third time this month.');
  await lead.fill('#representative', 'Sam Steward, Unison');
  await lead.click('button:has-text("Open the case")');
  assert.match(await lead.locator('.nhsuk-notification-banner').innerText(), /The case is open/);
  assert.match(await lead.locator('main').innerText(), /Sam Steward, Unison/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  // A sanction without a hearing is refused and named at its field.
  await lead.check('input[name="to"][value="outcome"]');
  await fillDate(lead, 'on');
  await lead.selectOption('#outcome', 'dismissal');
  await lead.click('button:has-text("Move the case")');
  assert.match(await lead.locator('.nhsuk-error-summary').innerText(), /Only a hearing can give a warning or a dismissal/);
  await checkAccessibility(lead, assert);

  await moveTo(lead, 'hearing');
  await moveTo(lead, 'outcome', () => lead.selectOption('#outcome', 'final_written_warning'));
  await moveTo(lead, 'appeal');
  await moveTo(lead, 'appeal_outcome', () => lead.selectOption('#appeal_outcome', 'partly_upheld'));
  const main = await lead.locator('main').innerText();
  assert.match(main, /Final written warning/);
  assert.match(main, /Appeal partly upheld/);
  await checkAccessibility(lead, assert);

  await lead.check('#kind-letter');
  await lead.fill('#text', 'Appeal outcome letter sent.');
  await lead.click('button:has-text("Add it")');
  assert.match(await lead.locator('main').innerText(), /Appeal outcome letter sent\./);
});

test('a suspension review records the wellbeing check and the next review', async () => {
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.goto(`${server.url}/orgs/DEMO1/er-cases`);
  await lead.click('.nhsuk-warning-callout a >> nth=0');
  assert.match(await lead.locator('main').innerText(), /Restricted duties from/);
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  await fillDate(lead, 'reviewed_on');
  await lead.check('#continues');
  await lead.fill('#note', 'Still waiting for occupational health.');
  await lead.click('button:has-text("Record the review")');
  const errors = await lead.locator('.nhsuk-error-summary').innerText();
  assert.match(errors, /Say whether you checked on the person/);
  assert.match(errors, /Enter the date of the next review, or end the suspension/);
  assert.equal(await lead.inputValue('#note'), 'Still waiting for occupational health.');
  await checkAccessibility(lead, assert);

  await lead.check('#wellbeing');
  await fillDate(lead, 'next_due', 7);
  await lead.click('button:has-text("Record the review")');
  assert.match(await lead.locator('.nhsuk-notification-banner').innerText(), /The review is recorded/);
  assert.match(await lead.locator('main').innerText(), /wellbeing checked; continues/);
  await checkAccessibility(lead, assert);

  await lead.goto(`${server.url}/orgs/DEMO1/er-cases`);
  assert.ok(!(await lead.locator('main').innerText()).includes('Suspension reviews due'));
});

test('the time limits form names each wrong box and keeps what was typed', async () => {
  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.goto(`${server.url}/orgs/DEMO1/er-cases`);
  await lead.click('a:has-text("See or change the time limits")');
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  await lead.fill('#fast_track-hearing', '40');
  await lead.fill('#review_every_days', '0');
  await lead.click('button:has-text("Save time limits")');
  const errors = await lead.locator('.nhsuk-error-summary').innerText();
  assert.match(errors, /The fast-track hearing stage cannot take longer than the usual 28 days/);
  assert.match(errors, /Days for suspension reviews must be a whole number from 1 to 90/);
  assert.equal(await lead.inputValue('#fast_track-hearing'), '40');
  await checkAccessibility(lead, assert);

  await lead.click('.nhsuk-error-summary a >> nth=0');
  assert.equal(await lead.evaluate(() => document.activeElement.id), 'fast_track-hearing');
  await lead.fill('#fast_track-hearing', '10');
  await lead.fill('#review_every_days', '14');
  await lead.click('button:has-text("Save time limits")');
  assert.match(await lead.locator('.nhsuk-notification-banner').innerText(), /The time limits are changed/);
});

test('an investigating officer finds their case, reads it and adds a finding', async () => {
  const officer = await newPage(browser);
  await signInWithSecondStep(officer, server.url, 'investigator@demo.nhs.uk');
  await officer.goto(`${server.url}/home`);
  await officer.click('a:has-text("Cases you are investigating")');
  await checkAccessibility(officer, assert);
  await checkReflow(officer, assert);
  const list = await officer.locator('main').innerText();
  assert.match(list, /Grievance/);
  assert.equal(await officer.locator('main table tbody tr').count(), 1, 'only their own case');

  await officer.click('main table a');
  const page = await officer.locator('main').innerText();
  assert.match(page, /flexible working/);
  assert.ok(!page.includes('Move the case on'), "the leads' forms are not shown");
  await checkAccessibility(officer, assert);
  await checkReflow(officer, assert);

  await officer.click('button:has-text("Add it")');
  assert.match(await officer.locator('.nhsuk-error-summary').innerText(), /Choose what you are adding/);
  await checkAccessibility(officer, assert);
  await officer.check('#kind-finding');
  await officer.fill('#text', 'Two of the three requests had no written reply.');
  await officer.click('button:has-text("Add it")');
  assert.match(await officer.locator('main').innerText(), /Two of the three requests had no written reply\./);

  const response = await officer.goto(`${server.url}/orgs/DEMO1/er-cases`);
  assert.equal(response.status(), 403, 'not the list of every case');
});

test('a grievance raised through Speak Up opens its employee relations case, each linking to the other', async () => {
  const reporter = await newPage(browser, { viewport: { width: 360, height: 800 } });
  await reporter.goto(`${server.url}/speak-up/DEMO1`);
  await reporter.check('#kind-grievance');
  await reporter.check('#identity-confidential');
  await reporter.fill('#confidential_name', 'Robin Grievance');
  await reporter.fill('#what_happened', 'My shifts are moved at a day\'s notice, every week.');
  await reporter.check('#patient_safety-no');
  await reporter.click('button:has-text("Send my concern")');
  await reporter.locator('.dignity-receipt').waitFor();

  const lead = await newPage(browser);
  await signInWithSecondStep(lead, server.url, 'er@demo.nhs.uk');
  await lead.goto(`${server.url}/orgs/DEMO1/speak-up`);
  await lead.click('table a:has-text("Grievance")');
  const grievancePath = new URL(lead.url()).pathname;
  await lead.click('a:has-text("Open an employee relations case for this grievance")');
  assert.match(await lead.locator('main').innerText(), /This case is for Speak Up grievance \d+/);
  assert.ok(await lead.locator('#case_type-grievance').isChecked(), 'the type is set');
  await checkAccessibility(lead, assert);
  await checkReflow(lead, assert);

  await lead.fill('#person_name', 'Robin Grievance');
  await lead.check('#first_stage');
  await lead.fill('#summary', 'Shifts moved at short notice, raised through Speak Up.');
  await lead.click('button:has-text("Open the case")');
  assert.match(await lead.locator('.nhsuk-notification-banner').innerText(), /The case is open/);
  assert.equal(await lead.locator(`main a[href="${grievancePath}"]`).count(), 1, 'the case links to the grievance');
  await checkAccessibility(lead, assert);
  const casePath = new URL(lead.url()).pathname;

  await lead.goto(`${server.url}${grievancePath}`);
  assert.equal(await lead.locator(`main a[href="${casePath}"]`).count(), 1, 'the grievance links to the case');
  assert.equal(await lead.locator('a:has-text("Open an employee relations case")').count(), 0);
  await checkAccessibility(lead, assert);
});
