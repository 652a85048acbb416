// People and roles on the pages (issue 22), in real Chromium with axe: an organisation's
// administrator gives and takes a role with a reason, and the platform's administrator
// turns an account off and on; errors are shown the NHS way.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signIn, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

describe('people and roles', () => {
  test('an organisation administrator finds someone, gives a role with a reason and takes it away', async () => {
    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.goto(`${server.url}/home`);
    await admin.click('main a:has-text("People and roles")');
    assert.equal(await admin.locator('h1').innerText(), 'People and roles');
    await checkAccessibility(admin, assert);

    await admin.fill('#q', 'sam');
    await admin.click('button:has-text("Search")');
    assert.match(await admin.locator('caption').innerText(), /^1 person/);
    await admin.click('main a:has-text("Sam Staff")');
    assert.equal(await admin.locator('h1').innerText(), 'Sam Staff');
    await checkAccessibility(admin, assert);

    // No reason: the error summary says so and links to the box.
    await admin.selectOption('#role', 'union_partner');
    await admin.click('button:has-text("Give the role")');
    assert.match(await admin.locator('.nhsuk-error-summary').innerText(), /Say why you are making this change/);
    assert.equal(await admin.locator('.nhsuk-error-summary a').getAttribute('href'), '#give-reason');
    assert.equal(await admin.locator('#role').inputValue(), 'union_partner');
    await checkAccessibility(admin, assert);

    await admin.fill('#give-reason', 'Elected as the union rep for theatres');
    await admin.click('button:has-text("Give the role")');
    assert.match(await admin.locator('.nhsuk-notification-banner').innerText(), /The role was given/);
    assert.match(await admin.locator('main table').innerText(), /Trade union partner/);
    await checkAccessibility(admin, assert);

    await admin.check('label:has-text("Trade union partner")');
    await admin.fill('#take-reason', 'Stood down as rep');
    await admin.click('button:has-text("Take the role away")');
    assert.match(await admin.locator('.nhsuk-notification-banner').innerText(), /The role was taken away/);
    assert.doesNotMatch(await admin.locator('main table').innerText(), /Trade union partner/);

    // Their own page: nothing to change.
    await admin.goto(`${server.url}/orgs/DEMO1/people?q=admin%40demo`);
    await admin.click('main a:has-text("Ada Admin")');
    assert.match(await admin.locator('main').innerText(), /This is you/);
    assert.equal(await admin.locator('button:has-text("Give the role")').count(), 0);
    await checkAccessibility(admin, assert);
    await admin.context().close();
  });

  test('the platform administrator turns an account off and on again', async () => {
    const platform = await newPage(browser);
    await signInWithSecondStep(platform, server.url, 'platform@demo.nhs.uk');
    await platform.goto(`${server.url}/home`);
    await platform.click('main a:has-text("People, roles and accounts")');
    assert.equal(await platform.locator('h1').innerText(), 'People, roles and accounts');
    await checkAccessibility(platform, assert);
    await platform.fill('#q', 'union@demo');
    await platform.click('button:has-text("Search")');
    await platform.click('main a:has-text("Uma Union")');
    await checkAccessibility(platform, assert);

    await platform.fill('#account-reason', 'Suspended while a complaint is looked into');
    await platform.click('button:has-text("Turn the account off")');
    assert.match(await platform.locator('.nhsuk-notification-banner').innerText(), /turned off/);
    await checkAccessibility(platform, assert);

    const uma = await newPage(browser);
    await signIn(uma, server.url, 'union@demo.nhs.uk');
    assert.equal(new URL(uma.url()).pathname, '/sign-in');

    await platform.fill('#account-reason', 'Complaint closed');
    await platform.click('button:has-text("Turn the account on")');
    assert.match(await platform.locator('.nhsuk-notification-banner').innerText(), /turned on again/);
    await signIn(uma, server.url, 'union@demo.nhs.uk');
    assert.equal(new URL(uma.url()).pathname, '/home');
    await uma.context().close();
    await platform.context().close();
  });
});
