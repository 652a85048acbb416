// Signing a changed plan in real headless Chromium: the editor folds each action's forms
// away, the plan's page points signatories to a review page instead of an approve button,
// and each side approves there after reading every change. axe runs on every page state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** Whether the approve button comes after every list of changes on the review page. */
async function approveComesLast(page) {
  return page.evaluate(() => {
    const button = [...document.querySelectorAll('main button')].find((b) => /Approve version/.test(b.textContent));
    const lists = [...document.querySelectorAll('main .nhsuk-summary-list')];
    return Boolean(button) && lists.length > 0
      && lists.every((list) => list.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
}

describe('signing a changed plan', () => {
  test('an executive changes an action, and each side reads the change before approving it', async () => {
    const exec = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await signIn(exec, server.url, 'exec@demo.nhs.uk');
    await exec.click('a:has-text("Action plans")');
    await exec.click('a:has-text("Respect at work 2026 to 2027")');

    // The editor is short: each action's forms are folded away (10,554 px at 1280 px
    // wide before they were, for the demo plan's five actions).
    const height = await exec.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 7500, `the plan's page is ${height} px tall at 1280 px wide`);
    assert.equal(await exec.locator('[id^="status-"]').first().isVisible(), false);
    await exec.click('summary:has-text("Change the status or progress") >> nth=0');
    assert.equal(await exec.locator('[id^="status-"]').first().isVisible(), true);
    // The published version waits for nobody: no approval is offered.
    assert.doesNotMatch(await exec.locator('main').innerText(), /waiting for your approval/);
    assert.equal(await exec.locator('main form[action$="/approve"]').count(), 0);

    await exec.click('a:has-text("Change, remove or see the history") >> nth=0');
    assert.equal(await exec.inputValue('#owner'), 'Chief Executive');
    await exec.fill('#owner', 'Chief Executive and Chair');
    await exec.click('button:has-text("Save changes")');
    const waiting = await exec.locator('main').innerText();
    assert.match(waiting, /Version \d+ is waiting for your approval/);
    assert.equal(await exec.locator('main form[action$="/approve"]').count(), 0, 'the plan page has no approve button');
    await checkAccessibility(exec, assert);

    await exec.click('a:has-text("Check the changes and approve")');
    assert.match(new URL(exec.url()).pathname, /^\/orgs\/DEMO1\/plans\/\d+\/review$/);
    const review = await exec.locator('main').innerText();
    assert.match(review, /Check the changes before you approve version \d+/);
    assert.match(review, /Changed action: Board members hear staff stories of bullying/);
    assert.match(review, /Now: Chief Executive and Chair/);
    assert.match(review, /^Was: Chief Executive$/m);
    assert.doesNotMatch(review, /Civility and respect training/, 'an unchanged action is not listed');
    assert.ok(await approveComesLast(exec), 'the approve button comes after the changes');
    await checkAccessibility(exec, assert);
    await exec.click('button:has-text("Approve version")');
    const signedByExec = await exec.locator('main').innerText();
    assert.match(signedByExec, /Employer approval of this version\s*Approved by Ezra Executive/);
    assert.match(signedByExec, /waiting for the other side's approval/);

    // The union partner, on a phone, reads the same change and approves: published.
    const union = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await signIn(union, server.url, 'union@demo.nhs.uk');
    await union.click('a:has-text("Action plans")');
    await union.click('a:has-text("Respect at work 2026 to 2027")');
    await union.click('a:has-text("Check the changes and approve")');
    const reviewUrl = union.url();
    const theirs = await union.locator('main').innerText();
    assert.match(theirs, /Now: Chief Executive and Chair/);
    assert.ok(await approveComesLast(union));
    await checkAccessibility(union, assert);
    await union.click('button:has-text("for the trade union side")');
    const published = await union.locator('main').innerText();
    assert.doesNotMatch(published, /changes that both sides must approve/);
    assert.doesNotMatch(published, /waiting for/);
    await union.goto(reviewUrl);
    assert.match(await union.locator('h1').innerText(), /Version \d+ is published/);
    assert.equal(await union.locator('main form[action$="/approve"]').count(), 0);
    await checkAccessibility(union, assert);
  });
});
