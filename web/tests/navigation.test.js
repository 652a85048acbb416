// Finding the way: error pages that still show who is signed in, pages that say plainly
// when an organisation has not set something up, the header's sections, breadcrumbs and
// back links, and the organisation administrator's audit log. axe runs on every page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccessibility, launchBrowser, newPage, signIn, startServer } from './helpers.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The signed-in part of the header: the person's name and the sign-out button. */
async function signedInHeader(page) {
  const account = page.locator('header nav[aria-label="Account"]');
  return {
    text: (await account.innerText()).trim(),
    signOut: await account.locator('button:has-text("Sign out")').count(),
  };
}

describe('error pages', () => {
  test('not found and refused pages keep the signed-in header and sign-out', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, 'staff@demo.nhs.uk');
    assert.equal(new URL(page.url()).pathname, '/home');

    let response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Page not found');
    let header = await signedInHeader(page);
    assert.match(header.text, /Sam Staff/);
    assert.equal(header.signOut, 1);
    assert.equal(await page.locator('header a:has-text("Sign in")').count(), 0);
    assert.equal(await page.locator('main a[href="/home"]').count(), 1);
    await checkAccessibility(page, assert);

    response = await page.goto(`${server.url}/orgs/DEMO1/audit`);
    assert.equal(response.status(), 403);
    header = await signedInHeader(page);
    assert.match(header.text, /Sam Staff/);
    await checkAccessibility(page, assert);

    // Signing out from an error page works.
    await page.click('header button:has-text("Sign out")');
    assert.equal(new URL(page.url()).pathname, '/signed-out');

    // Signed out, the same page offers signing in instead.
    response = await page.goto(`${server.url}/no-such-page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('header a:has-text("Sign in")').count(), 1);
  });

  test('an organisation without Speak Up or a published plan says so, and where to go', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    let response = await page.goto(`${server.url}/speak-up/DEMO2`);
    assert.equal(response.status(), 404);
    let heading = await page.locator('h1').innerText();
    assert.match(heading, /Riverside Mental Health NHS Trust \(demo\) has not set up Speak Up here/);
    let text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Page not found/);
    assert.match(text, /Freedom to Speak Up Guardian/);
    assert.equal(await page.locator('main a[href="/speak-up"]').count(), 1);
    await checkAccessibility(page, assert);

    response = await page.goto(`${server.url}/plans/DEMO3`);
    assert.equal(response.status(), 404);
    heading = await page.locator('h1').innerText();
    assert.match(heading, /Moorland Ambulance Service NHS Trust \(demo\) has not published a plan yet/);
    text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Page not found/);
    assert.equal(await page.locator('main a[href="/plans"]').count(), 1);
    await checkAccessibility(page, assert);

    // An unknown organisation is still simply not found.
    response = await page.goto(`${server.url}/speak-up/NOPE9`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Page not found');
  });
});
