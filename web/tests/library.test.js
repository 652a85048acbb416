// Issue 16 in a real browser: each library resource links to where it can be read. A
// resource without an address says where to get it; a curator finds those on the manage
// page, adds the address (each mistake with its own message) and the page links to it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

async function noSidewaysScroll(page, width) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `no sideways scrolling at ${width}px on ${page.url()} (${scroll})`);
}

describe('library addresses', () => {
  test('a curator adds the address of a resource that had none, and it links there', async () => {
    const admin = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.goto(`${server.url}/library/manage`);
    const section = await admin.locator('main').innerText();
    assert.match(section, /Without a web address/);
    assert.match(section, /\d+ resources have no web address/);
    await checkAccessibility(admin, assert);

    // The list is folded away (it is long) and works without JavaScript.
    await admin.click('summary:has-text("Resources without a web address")');
    const first = admin.locator('#without-address ~ details a').first();
    const title = (await first.innerText()).replace(/^Add (a|its own) web address.*?: /, '');
    await first.click();
    assert.match(new URL(admin.url()).pathname, /^\/library\/\d+\/edit$/);
    const id = new URL(admin.url()).pathname.split('/')[2];

    // Before: the page says where to get it.
    const reader = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await reader.goto(`${server.url}/library/${id}`);
    // Every starter resource has at least its publisher's website; the page says that is
    // all we have.
    assert.match(await reader.locator('main').innerText(), /We do not have the address of “.+” itself, only of the website/);
    assert.match(await reader.locator('#read-it').innerText(), /^Look for it on /);
    await checkAccessibility(reader, assert);

    // Mistakes, each with its own message, in the summary and beside the field.
    for (const [typed, message] of [
      ['www.nhsemployers.org/civility', /Enter the web address in full, starting with https:\/\//],
      ['javascript:alert(1)', /must start with https:\/\/ or http:\/\//],
      ['https://nhs employers.org', /must not have spaces in it/],
    ]) {
      await admin.fill('#link', typed);
      await admin.click('button:has-text("Save")');
      const summary = admin.locator('.nhsuk-error-summary');
      assert.match(await summary.innerText(), message, typed);
      assert.match(await admin.locator('#link-error').innerText(), message, typed);
      assert.equal(await admin.inputValue('#link'), typed, 'what was typed is kept');
      await checkAccessibility(admin, assert);
    }
    await admin.click('.nhsuk-error-summary a[href="#link"]');
    assert.equal(await admin.evaluate(() => document.activeElement?.id), 'link');

    const address = 'https://www.nhsemployers.org/civility-and-respect';
    await admin.fill('#link', address);
    await admin.click('button:has-text("Save")');
    assert.equal(new URL(admin.url()).pathname, `/library/${id}`);

    // After: the page and the search results link to it.
    await reader.reload();
    const read = reader.locator('#read-it');
    assert.equal(await read.getAttribute('href'), address);
    assert.match(await read.innerText(), /^Read “.+” on www\.nhsemployers\.org$/);
    await checkAccessibility(reader, assert);
    await noSidewaysScroll(reader, 320);
    await reader.goto(`${server.url}/library?q=${encodeURIComponent(title)}`);
    assert.ok(await reader.locator(`main li a[href="${address}"]`).count(), 'the result links to where it is read');
    await checkAccessibility(reader, assert);
    await noSidewaysScroll(reader, 320);
  });
});
