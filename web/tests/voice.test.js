// Staff voice in a real browser: a member of staff finds the national challenge from the
// header, chooses the name they are shown by, shares an idea, supports and discusses
// another, replies and reports; a post with private details is held and offers Speak Up;
// hostile text stays text; an executive answers an idea; an org admin sets a challenge.
// axe and the reflow check pass on every page and error state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** Sends the idea form; if ideas like it are shown first, posts it anyway. */
async function postIdea(page) {
  await page.click('button:has-text("Post my idea")');
  const anyway = page.locator('button:has-text("Post my idea anyway")');
  if (await anyway.count() > 0) await anyway.click();
}

test('staff take part in a challenge and leaders answer', async () => {
  const staff = await newPage(browser);
  let dialogs = 0;
  staff.on('dialog', async (dialog) => { dialogs += 1; await dialog.dismiss(); });
  await signIn(staff, server.url, 'staff@demo.nhs.uk');
  await staff.click('header a:has-text("Staff voice")');
  assert.equal(await staff.locator('h1').innerText(), 'Staff voice');
  await checkAccessibility(staff, assert);
  await staff.click('a:has-text("How can we make sure nobody works in fear of bullying?")');
  assert.match(await staff.locator('main').innerText(), /Teach every new manager how to handle conflict/);
  await checkAccessibility(staff, assert);
  for (const order of ['Newest', 'Most supported', 'Most discussed']) {
    await staff.click(`nav[aria-label="Sort the ideas"] a:has-text("${order}")`);
    assert.equal(await staff.locator('[aria-current="true"]').innerText(), order);
  }
  const challenge = new URL(staff.url()).pathname;

  // A name first: a blank one is named in the error summary.
  await staff.click('a:has-text("choose the name you are shown by")');
  await staff.click('button:has-text("Choose this name")');
  assert.match(await staff.locator('.nhsuk-error-summary').innerText(), /Choose a name of 3 to 40/);
  await checkAccessibility(staff, assert);
  await staff.fill('#display_name', 'Coffee Cup');
  // The staff group is optional: "rather not say" is chosen until one is.
  assert.equal(await staff.isChecked('#staff_group-none'), true);
  await staff.check('label:has-text("Allied health professionals")');
  await staff.click('button:has-text("Choose this name")');
  assert.equal(new URL(staff.url()).pathname, challenge);
  await staff.goto(`${server.url}/voice/name`);
  assert.equal(await staff.isChecked('input[value="Allied health professionals"]'), true);
  await checkAccessibility(staff, assert);
  await staff.goto(`${server.url}${challenge}`);

  // An idea: an empty one is refused, field by field; then it goes up.
  await staff.click('button:has-text("Post my idea")');
  const summary = await staff.locator('.nhsuk-error-summary').innerText();
  assert.match(summary, /Enter a title/);
  assert.match(summary, /Describe your idea/);
  await checkAccessibility(staff, assert);
  // Ideas like the one being typed are offered while the title is typed, and again
  // once it is sent, before it goes up.
  await staff.fill('#title', 'Conflict training for new managers');
  await staff.locator('#similar-ideas a:has-text("Teach every new manager how to handle conflict")').waitFor();
  await checkAccessibility(staff, assert);
  await staff.fill('#body', 'A short course in the first month.');
  await staff.click('button:has-text("Post my idea")');
  assert.match(await staff.locator('#similar-ideas').innerText(), /Teach every new manager how to handle conflict/);
  await staff.click('button:has-text("Post my idea anyway")');
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /Your idea is posted/);
  await staff.goto(`${server.url}${challenge}`);
  await staff.fill('#title', 'Rest rooms for every ward');
  await staff.fill('#body', 'Somewhere quiet to sit for **ten minutes**.');
  await postIdea(staff);
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /Your idea is posted/);
  assert.equal(await staff.locator('h1').innerText(), 'Rest rooms for every ward');
  assert.equal(await staff.locator('main strong:has-text("ten minutes")').count(), 1);
  await checkAccessibility(staff, assert);

  // Web code in an idea holds it for a moderator; its writer sees it, as text.
  await staff.goto(`${server.url}${challenge}`);
  await staff.fill('#title', 'Quiet <img src=x onerror=alert(1)>');
  await staff.fill('#body', 'Somewhere <script>alert(2)</script> to sit.');
  await postIdea(staff);
  assert.match(await staff.locator('h1').innerText(), /waiting for a moderator/);
  assert.match(await staff.locator('main').innerText(), /web code/);
  await staff.click('a:has-text("Go back to the idea")');
  assert.equal(await staff.locator('h1').innerText(), 'Quiet <img src=x onerror=alert(1)>');
  assert.equal(await staff.locator('main img, main script').count(), 0);
  await checkAccessibility(staff, assert);

  // One with an NHS number and worrying words is held, and Speak Up is offered.
  await staff.goto(`${server.url}${challenge}`);
  await staff.fill('#title', 'About a patient');
  await staff.fill('#body', 'Patient 943 476 5919 was harmed on the ward and my manager bullied me about it.');
  await postIdea(staff);
  assert.match(await staff.locator('h1').innerText(), /waiting for a moderator/);
  assert.match(await staff.locator('main').innerText(), /an NHS number/);
  assert.equal(await staff.locator('main a[href="/speak-up"]').first().isVisible(), true);
  await checkAccessibility(staff, assert);

  // Support and discuss someone else's idea, with a reply, and report a comment.
  await staff.goto(`${server.url}${challenge}?order=supported`);
  await staff.click('a:has-text("Teach every new manager how to handle conflict")');
  assert.match(await staff.locator('main').innerText(), /Accepted/);
  await staff.click('button:has-text("Support this idea")');
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /You support this idea/);
  await checkAccessibility(staff, assert);
  await staff.click('button:has-text("Post my comment")');
  assert.match(await staff.locator('.nhsuk-error-summary').innerText(), /Enter a comment/);
  await checkAccessibility(staff, assert);
  await staff.fill('#comment', 'This would have helped my first ward manager.');
  await staff.click('button:has-text("Post my comment")');
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /Your comment is posted/);
  await staff.locator('summary:has-text("Reply")').first().click();
  await staff.locator('textarea[name="comment"]').first().fill('Agreed, and soon after they start.');
  await staff.locator('button:has-text("Post my reply")').first().click();
  assert.match(await staff.locator('.dignity-replies').first().innerText(), /soon after they start/);
  await staff.click('summary:has-text("Report this idea or a comment")');
  await staff.click('button:has-text("Send the report")');
  assert.match(await staff.locator('.nhsuk-error-summary').innerText(), /Give a reason/);
  await checkAccessibility(staff, assert);
  await staff.locator('#comment-reported').selectOption({ index: 1 });
  await staff.fill('#reason', 'Rule 5, it is off the question.');
  await staff.click('button:has-text("Send the report")');
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /A moderator will look at it/);
  assert.equal(dialogs, 0, 'no script from a post ran');

  // An executive answers an idea of the trust's own challenge.
  const exec = await newPage(browser);
  await signInWithSecondStep(exec, server.url, 'exec@demo.nhs.uk');
  await exec.goto(`${server.url}/voice`);
  await exec.click('a:has-text("What would make shift handovers kinder?")');
  await exec.click('a:has-text("A quiet five minutes before handover")');
  await exec.click('button:has-text("Post the answer")');
  const problems = await exec.locator('.nhsuk-error-summary').innerText();
  assert.match(problems, /Choose what the answer is/);
  assert.match(problems, /Enter the answer/);
  await checkAccessibility(exec, assert);
  await exec.check('label:has-text("Under consideration")');
  await exec.fill('#answer', 'We will try it on two wards in January.');
  await exec.click('button:has-text("Post the answer")');
  assert.match(await exec.locator('main').innerText(), /We will try it on two wards in January/);
  await checkAccessibility(exec, assert);

  // An org admin sets a challenge; every problem is named at once.
  const admin = await newPage(browser);
  await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
  await admin.goto(`${server.url}/voice`);
  await admin.click('a:has-text("Set a challenge for Northfield")');
  await checkAccessibility(admin, assert);
  await admin.click('button:has-text("Set the challenge")');
  const wrong = await admin.locator('.nhsuk-error-summary').innerText();
  for (const message of [/Enter a question/, /Describe the challenge/, /Choose at least one topic/, /Enter the closing date/]) {
    assert.match(wrong, message);
  }
  await checkAccessibility(admin, assert);
  await admin.fill('#question', 'What one thing would make your team kinder?');
  await admin.fill('#description', 'Small things count.');
  await admin.check('#topics');
  await admin.fill('#closes_on-day', '30');
  await admin.fill('#closes_on-month', '6');
  await admin.fill('#closes_on-year', String(new Date().getFullYear() + 1));
  await admin.click('button:has-text("Set the challenge")');
  assert.equal(await admin.locator('h1').innerText(), 'What one thing would make your team kinder?');
  await checkAccessibility(admin, assert);

  // The community rules are public.
  const anyone = await newPage(browser);
  await anyone.goto(`${server.url}/voice/rules`);
  assert.equal(await anyone.locator('h1').innerText(), 'Community rules');
  await checkAccessibility(anyone, assert);
});

test('a moderator decides about held and reported posts', async () => {
  const moderator = await newPage(browser);
  await signInWithSecondStep(moderator, server.url, 'moderator@demo.nhs.uk');
  await moderator.click('header a:has-text("Moderation")');
  assert.equal(await moderator.locator('h1').innerText(), 'Staff voice moderation');
  assert.match(await moderator.locator('main').innerText(), /01632 960001/);
  await checkAccessibility(moderator, assert);
  // Hiding without a rule is refused on a page of its own, with the problem named.
  const card = moderator.locator('.nhsuk-card', { hasText: '01632 960001' });
  await card.locator('label.nhsuk-radios__label', { hasText: 'Hide it' }).click();
  await card.locator('textarea[name="reason"]').first().fill('A phone number');
  await card.locator('button:has-text("Save my decision")').click();
  assert.match(await moderator.locator('.nhsuk-error-summary').innerText(), /Choose the community rule it breaks/);
  await checkAccessibility(moderator, assert);
  await moderator.locator('label.nhsuk-radios__label', { hasText: 'Let it go up' }).click();
  await moderator.locator('textarea[name="reason"]').fill('It is the ward phone, not a person\'s.');
  await moderator.click('button:has-text("Save my decision")');
  assert.match(await moderator.locator('.nhsuk-notification-banner').innerText(), /Your decision is saved/);
  // Finding out who wrote a post needs a reason, kept before the answer is shown.
  await moderator.goto(`${server.url}/voice`);
  await moderator.click('a:has-text("What would make shift handovers kinder?")');
  await moderator.click('a:has-text("Call the ward first")');
  assert.match(await moderator.locator('main').innerText(), /01632 960001/);
  await checkAccessibility(moderator, assert);
});

test('staff search and filter ideas, follow a challenge and make feed addresses', async () => {
  const staff = await newPage(browser);
  await signIn(staff, server.url, 'staff@demo.nhs.uk');
  await staff.goto(`${server.url}/voice`);
  await staff.click('a:has-text("How can we make sure nobody works in fear of bullying?")');

  // Search, best match first, and a filter by topic, both kept across the sort links.
  await staff.fill('#search', 'night shift');
  await staff.click('button:has-text("Show these ideas")');
  let main = await staff.locator('main').innerText();
  assert.match(main, /A named person to talk to on every night shift/);
  assert.doesNotMatch(main, /Say thank you in team meetings/);
  assert.match(main, /best match first/);
  await checkAccessibility(staff, assert);
  await staff.goto(`${server.url}/voice`);
  await staff.click('a:has-text("How can we make sure nobody works in fear of bullying?")');
  await staff.selectOption('#filter-topic', 'civility');
  await staff.click('button:has-text("Show these ideas")');
  main = await staff.locator('main').innerText();
  assert.match(main, /Say thank you in team meetings/);
  assert.doesNotMatch(main, /A named person to talk to on every night shift/);
  await staff.click('nav[aria-label="Sort the ideas"] a:has-text("Newest")');
  assert.equal(new URL(staff.url()).searchParams.get('topic'), 'civility');
  await checkAccessibility(staff, assert);

  // Following the challenge.
  await staff.click('button:has-text("Follow this challenge")');
  assert.match(await staff.locator('.nhsuk-notification-banner').innerText(), /You follow this challenge/);
  await checkAccessibility(staff, assert);

  // Feed addresses are shown once; the feed needs no sign-in; a stopped key opens nothing.
  await staff.click('a:has-text("Follow challenges in a feed reader")');
  await checkAccessibility(staff, assert);
  await staff.click('button:has-text("Make my feed addresses")');
  assert.match(await staff.locator('main').innerText(), /Copy these addresses now/);
  await checkAccessibility(staff, assert);
  const addresses = await staff.locator('dd code').allInnerTexts();
  const national = addresses.find((a) => a.includes('/voice/feeds/'));
  assert.ok(national, 'a feed address');
  const feedPath = new URL(national).pathname;
  const paths = await Promise.all(addresses.map(async (a) => {
    const response = await fetch(`${server.url}${new URL(a).pathname}`);
    return [response.status, response.headers.get('content-type'), await response.text()];
  }));
  assert.ok(paths.every(([status, type]) => status === 200 && type.startsWith('application/atom+xml')), JSON.stringify(paths.map(([s, t]) => [s, t])));
  assert.ok(paths.some(([, , body]) => body.includes('Teach every new manager how to handle conflict')));
  await staff.click('button:has-text("Stop my key")');
  assert.match(await staff.locator('main').innerText(), /Your key is stopped/);
  await checkAccessibility(staff, assert);
  assert.equal((await fetch(`${server.url}${feedPath}`)).status, 404);
});

test('leaders post an update and staff comment on it', async () => {
  // An executive writes an update on the trust's challenge; an empty one is refused.
  const exec = await newPage(browser);
  await signInWithSecondStep(exec, server.url, 'exec@demo.nhs.uk');
  await exec.goto(`${server.url}/voice`);
  await exec.click('a:has-text("What would make shift handovers kinder?")');
  await exec.click('a:has-text("Post an update for staff")');
  await checkAccessibility(exec, assert);
  await exec.click('button:has-text("Post the update")');
  const problems = await exec.locator('.nhsuk-error-summary').innerText();
  assert.match(problems, /Enter a title/);
  assert.match(problems, /Write the update/);
  await checkAccessibility(exec, assert);
  await exec.fill('#title', 'Quiet minutes are starting');
  await exec.fill('#body', 'Two wards start *quiet minutes* before handover in January.');
  await exec.click('button:has-text("Post the update")');
  assert.match(await exec.locator('.nhsuk-notification-banner').innerText(), /Your update is posted/);
  assert.equal(await exec.locator('main em').first().innerText(), 'quiet minutes');
  await checkAccessibility(exec, assert);

  // A member of staff with a chosen name reads the national update and comments on it;
  // hostile text stays text.
  const union = await newPage(browser);
  let dialogs = 0;
  union.on('dialog', async (dialog) => { dialogs += 1; await dialog.dismiss(); });
  await signInWithSecondStep(union, server.url, 'union@demo.nhs.uk');
  await union.goto(`${server.url}/voice`);
  await union.click('a:has-text("How can we make sure nobody works in fear of bullying?")');
  assert.match(await union.locator('#updates ~ ul').first().innerText(), /What you have told us so far/);
  await union.click('a:has-text("What you have told us so far")');
  assert.match(await union.locator('main').innerText(), /Pat Platform/);
  await checkAccessibility(union, assert);
  await union.click('button:has-text("Post my comment")');
  assert.match(await union.locator('.nhsuk-error-summary').innerText(), /Enter a comment/);
  await checkAccessibility(union, assert);
  // Web code is held for a moderator, and its writer told why.
  await union.fill('#comment', 'Reps can help <img src=x onerror=alert(1)> with this.');
  await union.click('button:has-text("Post my comment")');
  assert.match(await union.locator('main').innerText(), /waiting for a moderator/);
  await checkAccessibility(union, assert);
  await union.click('a:has-text("Go back to the update")');
  await union.fill('#comment', 'Union reps can help run the sessions.');
  await union.click('button:has-text("Post my comment")');
  assert.match(await union.locator('.nhsuk-notification-banner').innerText(), /Your comment is posted/);
  assert.match(await union.locator('#comments ~ ul').first().innerText(), /Tea Break/);
  await checkAccessibility(union, assert);
  assert.equal(dialogs, 0, 'no script from a comment ran');

  // Who has taken part, in a table that reads on a phone and to a screen reader.
  await union.click('a:has-text("Go back to the challenge")');
  await union.click('a:has-text("See how many staff have taken part")');
  assert.equal(await union.locator('h1').innerText(), 'Who has taken part');
  await checkAccessibility(union, assert);
});
