import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium, screenshot } from '../support/e2e.ts';
import { type E2eApp, logIn, openE2eApp } from '../support/e2eApp.ts';

/**
 * Text PostgreSQL cannot store (a NUL character, half of an emoji) pasted into the new-ticket form: the
 * API refuses it with a 400 naming each field, and the form shows the reason under the field in words a
 * person can act on — no "something went wrong", no ticket written.
 */
const runs = requireChromium();

describe.skipIf(!runs)('bad input in the browser', () => {
  let app: E2eApp;

  beforeAll(async () => {
    app = await openE2eApp({
      // The refusal itself is the 400 this spec provokes.
      console: { allowStatus: (url, status) => status === 400 && url.includes('/trpc/tickets.create') },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ])(
    'given a subject with a pasted NUL and a description with half an emoji (%s), when the ticket is created, then each field says what is wrong and nothing is written',
    async (name, viewport) => {
      // given
      const { page, server, db } = app;
      await page.setViewportSize(viewport);
      if (name === 'desktop')
        await logIn(page, server.url, { email: 'agent1@acme.test', password: 'stepwise-demo' }, /\/queue$/);
      await page.goto(`${server.url}/tickets/new`);
      const [{ n: before }] = (await db.query<{ n: string }>('SELECT count(*) AS n FROM tickets')) as [
        { n: string },
      ];
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Omar Haddad');
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill('omar.haddad@example.com');
      await page.getByLabel('Category').fill('refund');
      await page.getByLabel('Subject').fill('Refund\u0000 for order 7710');
      // Typing cannot make half an emoji (Chromium turns it into U+FFFD); a script or a broken paste can.
      await page.getByLabel('Description').evaluate((element, text) => {
        const area = element as HTMLTextAreaElement;
        Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(area, text);
        area.dispatchEvent(new Event('input', { bubbles: true }));
      }, 'Charged twice \ud83d for the same course.');
      expect(await page.getByLabel('Description').inputValue()).toContain('\ud83d');
      expect(await page.getByLabel('Subject').inputValue()).toContain('\u0000');

      // when
      await page.getByRole('button', { name: 'Create ticket' }).click();

      // then
      const subject = page.getByText('Contains an invisible NUL character (U+0000) that cannot be saved');
      await subject.waitFor();
      await page.getByText('Contains a broken character (half of an emoji or symbol').waitFor();
      expect(await page.getByLabel('Subject').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Description').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByText('Something went wrong').count()).toBe(0);
      expect(page.url()).toMatch(/\/tickets\/new$/);
      const [{ n: after }] = (await db.query<{ n: string }>('SELECT count(*) AS n FROM tickets')) as [
        { n: string },
      ];
      expect(after).toBe(before);
      await page.getByLabel('Subject').scrollIntoViewIfNeeded();
      await screenshot(page, `bad-input-new-ticket-${name}`);

      // and once the text is fixed, the same form creates the ticket
      await page.getByLabel('Subject').fill('Refund for order 7710');
      await page.getByLabel('Description').fill('Charged twice for the same course.');
      await page.getByRole('button', { name: 'Create ticket' }).click();
      await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      expect(app.problems).toEqual([]);
    },
  );
});
