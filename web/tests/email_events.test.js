// Issue 16 in a real browser. The demo has no mail relay, as many installations start:
// every form that would send email says so before anyone fills it in and offers another
// way, and booking an event gives how to join and the calendar file on the page itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { browser, checkAccessibility, newPage, server, signInWithSecondStep, useServerAndBrowser } from './helpers.js';

useServerAndBrowser();

/** The date `days` from now as YYYY-MM-DD (UTC). */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A UK wall-clock time on `day` as an iCalendar UTC time, like 20271214T093000Z. */
function utcStamp(day, time) {
  const zone = new Date(`${day}T12:00:00Z`).toLocaleString('en-GB', { timeZone: 'Europe/London', timeZoneName: 'short' });
  const start = new Date(`${day}T${time}:00${zone.endsWith('BST') ? '+01:00' : 'Z'}`);
  return start.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

describe('without email', () => {
  test('news and plan pages say email is not set up before any form, and offer the feed', async () => {
    const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
    await page.goto(`${server.url}/news`);
    assert.match(await page.locator('#no-email').innerText(), /cannot send email at the moment/);
    assert.equal(await page.locator('form[action="/news/subscribe"]').count(), 0, 'no news form that cannot work');
    assert.equal(await page.locator('#no-email a[href="/news/feed.atom"]').count(), 1);
    await checkAccessibility(page, assert);

    await page.goto(`${server.url}/plans/DEMO1`);
    assert.match(await page.locator('#no-email').innerText(), /cannot get emails about this plan/);
    assert.equal(await page.locator('form[action$="/follow"]').count(), 0, 'no follow form that cannot work');
    assert.ok(await page.locator('a[href="/plans/DEMO1/feed.atom"]').count());
    await checkAccessibility(page, assert);
  });

  test('a booked place shows how to join, in UK time, with a calendar file that opens', async () => {
    // An organiser adds an event in person; the joining details go in a textarea, which
    // the browser sends with CR LF line ends.
    const admin = await newPage(browser);
    await signInWithSecondStep(admin, server.url, 'admin@demo.nhs.uk');
    await admin.goto(`${server.url}/events/new`);
    const day = dayFromNow(10);
    await admin.fill('#title', 'Civility, respect; and you');
    await admin.fill('#description', 'A morning on civility at work.');
    await admin.selectOption('#format', 'in_person');
    const [year, month, date] = day.split('-');
    await admin.fill('#date-day', date);
    await admin.fill('#date-month', month);
    await admin.fill('#date-year', year);
    await admin.fill('#starts', '09:30');
    await admin.fill('#ends', '12:00');
    await admin.fill('#location', 'Education Centre, Northfield Hospital');
    await admin.fill('#joining', 'Room 4, second floor.\nAsk at the front desk; bring your badge.');
    await admin.fill('#capacity', '1');
    await admin.click('button:has-text("Add event")');
    const eventUrl = admin.url();
    assert.match(new URL(eventUrl).pathname, /^\/events\/\d+$/);

    // A member of the public on a phone: told before booking that no email will come.
    const page = await newPage(browser, { viewport: { width: 320, height: 640 }, acceptDownloads: true });
    await page.goto(eventUrl);
    const notice = page.locator('#no-email');
    assert.match(await notice.innerText(), /cannot send email at the moment/);
    assert.match(await notice.innerText(), /next page shows how to join/);
    assert.ok(await notice.evaluate((el, form) => el.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING,
      await page.locator('form[action$="/book"]').elementHandle()), 'the notice comes before the form');
    await checkAccessibility(page, assert);

    await page.fill('#name', 'Robin Reader');
    await page.fill('#email', 'robin@example.com');
    await page.click('button:has-text("Book a place")');
    const main = await page.locator('main').innerText();
    assert.match(main, /You have a place/);
    assert.match(main, /Education Centre, Northfield Hospital/);
    assert.match(main, /Room 4, second floor\.\s+Ask at the front desk; bring your badge\./);
    assert.match(main, /9:30am to 12pm \(UK time\)/);
    assert.match(main, /cannot send email at the moment/);
    await checkAccessibility(page, assert);
    // Post-redirect-get: reloading the page books nothing and still shows how to join.
    assert.match(new URL(page.url()).pathname, /^\/events\/\d+\/booked$/);
    await page.reload();
    assert.match(await page.locator('main').innerText(), /Room 4, second floor\./);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `no sideways scrolling at 320px (${width})`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a:has-text("Add it to your calendar")'),
    ]);
    assert.match(download.suggestedFilename(), /^event-\d+\.ics$/);
    const ics = readFileSync(await download.path(), 'utf8');
    assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n'), ics);
    for (const line of ics.split('\r\n')) {
      assert.doesNotMatch(line, /[\r\n]/, `a bare line end breaks calendar programs: ${JSON.stringify(line)}`);
      assert.ok(Buffer.byteLength(line) <= 75, `a line not folded: ${line}`);
    }
    const unfolded = ics.replace(/\r\n /g, '');
    const stamp = utcStamp(day, '09:30');
    assert.ok(unfolded.includes(`DTSTART:${stamp}`), `starts at 09:30 UK time (${stamp}): ${unfolded}`);
    assert.ok(unfolded.includes('SUMMARY:Civility\\, respect\\; and you'), unfolded);
    assert.ok(unfolded.includes('Room 4\\, second floor.\\nAsk at the front desk\\; bring your badge.'), unfolded);

    // The event is now full: no email means no waiting list, said instead of a form.
    const next = await newPage(browser);
    await next.goto(eventUrl);
    assert.match(await next.locator('#no-email').innerText(), /there is no waiting list/);
    assert.equal(await next.locator('form[action$="/book"]').count(), 0);
    await checkAccessibility(next, assert);
  });
});
