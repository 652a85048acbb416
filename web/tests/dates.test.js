// Dates are typed in the NHS date input (day, month and year boxes). A form with several
// mistakes names them all at once, each date's mistake naming the date and leading to its
// day box; fixed, the form saves, and the date reads like "1 April 2026".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkAccessibility, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

describe('dates', () => {
  test('a survey with a missing month, a short year and no name is corrected in one go', async () => {
    const page = await newPage(browser);
    await signInWithSecondStep(page, server.url, 'admin@demo.nhs.uk');
    await page.goto(`${server.url}/orgs/DEMO1/surveys/new`);
    // The form offers today and four weeks on, in the three boxes.
    assert.match(await page.inputValue('#opens-year'), /^\d{4}$/);
    await checkAccessibility(page, assert);

    const year = new Date().getUTCFullYear() + 1;
    await page.fill('#opens-day', '1');
    await page.fill('#opens-month', '');
    await page.fill('#opens-year', String(year));
    await page.fill('#closes-day', '30');
    await page.fill('#closes-month', '4');
    await page.fill('#closes-year', String(year).slice(2));
    await page.click('button:has-text("Set up survey")');

    const summary = page.locator('.nhsuk-error-summary');
    const text = await summary.innerText();
    assert.match(text, /Enter a name for the survey/);
    assert.match(text, /The opening date must include a month/);
    assert.match(text, /The closing date must include a year with 4 numbers/);
    // Each date's link lands on its day box; what was typed is still there.
    assert.equal(await summary.locator('a:has-text("The opening date")').getAttribute('href'), '#opens-day');
    assert.equal(await summary.locator('a:has-text("The closing date")').getAttribute('href'), '#closes-day');
    assert.equal(await page.inputValue('#closes-year'), String(year).slice(2));
    // The message is beside the date too, and only the box in question is marked.
    assert.match(await page.locator('#opens-day-error').innerText(), /The opening date must include a month/);
    assert.ok(await page.locator('#opens-month.nhsuk-input--error').count());
    assert.equal(await page.locator('#opens-day.nhsuk-input--error').count(), 0);
    await checkAccessibility(page, assert);
    await summary.locator('a:has-text("The opening date")').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'opens-day');

    await page.fill('#title', 'Dates check-in');
    await page.fill('#opens-month', '04');
    await page.fill('#closes-year', String(year));
    await page.click('button:has-text("Set up survey")');
    assert.match(await page.locator('h1').innerText(), /Dates check-in/);
    assert.match(await page.locator('main').innerText(), new RegExp(`1 April ${year} to 30 April ${year}`));
    await checkAccessibility(page, assert);
  });

  test('an event on a day that does not exist, with no end time, is named in full', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await signInWithSecondStep(page, server.url, 'admin@demo.nhs.uk');
    await page.goto(`${server.url}/events/new`);
    const year = new Date().getUTCFullYear() + 1;
    await page.fill('#title', 'Dates and times');
    await page.fill('#description', 'Checking dates.');
    await page.selectOption('#format', 'webinar');
    await page.fill('#date-day', '31');
    await page.fill('#date-month', '6');
    await page.fill('#date-year', String(year));
    await page.fill('#starts', '10:30');
    await page.fill('#capacity', '5');
    await page.click('button:has-text("Add event")');
    const summary = page.locator('.nhsuk-error-summary');
    const text = await summary.innerText();
    assert.match(text, /The date of the event must be a real date/);
    assert.match(text, /Enter the end time/);
    assert.equal(await summary.locator('a:has-text("The date of the event")').getAttribute('href'), '#date-day');
    await checkAccessibility(page, assert);

    await page.fill('#date-day', '30');
    await page.fill('#ends', '12:00');
    await page.click('button:has-text("Add event")');
    assert.match(new URL(page.url()).pathname, /^\/events\/\d+$/);
    assert.match(await page.locator('main').innerText(), new RegExp(`30 ${MONTHS[5]} ${year}`));
    await checkAccessibility(page, assert);
  });
});
