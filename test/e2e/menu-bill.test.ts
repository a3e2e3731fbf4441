import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { closeBrowserWorld, startBrowserWorld, newPerson, screenshot, signIn } from './support/browser.js';

/** With SCREENSHOTS=1 the pages are also saved for docs/web.md (committed once). */
const DOCS_SHOTS = process.env.SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : null;
const DESKTOP = { viewport: { width: 1366, height: 900 } };
/**
 * Each step's wait: generous, since on a loaded machine (CI runners, tests in parallel) setting a
 * file input or decoding a photo takes seconds; a real failure still fails, only later.
 */
const SLOW_MACHINE_MS = 15_000;
const TEST_MS = 90_000;

async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (!DOCS_SHOTS) return;
  mkdirSync(DOCS_SHOTS, { recursive: true });
  await page.screenshot({ path: join(DOCS_SHOTS, `${name}.png`) });
}

/** "₹406.36" as paise. */
const paise = (text: string) => Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);

/** A colourful photo-like JPEG, as a phone would take it (bigger than what is stored). */
async function photo(): Promise<Buffer> {
  const [w, h] = [1200, 900];
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([230 - (y * 80) / h, 170 + (x * 60) / w, 40 + ((x + y) % 60)], (y * w + x) * 3);
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

describe('the web app: menu marks, photos and the bill', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
    const admin = await ApiClient.login(t, LOGINS.admin);
    const taxes = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, {
      taxes: [
        { name: 'CGST', rate: 2.5 },
        { name: 'SGST', rate: 2.5 },
      ],
      discountPercent: 10,
      discountMessage: 'Matinee offer: 10% off',
    });
    expect(taxes.status).toBe(200);
    const snacks = v.theatre1.menu[0]!.id;
    for (const [name, foodType, description] of [
      ['Chicken Puff', 'nonveg', 'Flaky pastry with spiced chicken.'],
      ['Egg Puff', 'egg', 'Half a boiled egg in masala, baked in pastry.'],
    ] as const) {
      const r = await admin.call('POST', `/api/menu-categories/${snacks}/items`, { name, price: 9000, maxTime: 5, available: true, foodType, description });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('an admin describes an item and uploads its photo; a refused file is explained next to the field', async () => {
    const admin = await newPerson(browser, t.http(''), 'admin');
    admin.context.setDefaultTimeout(SLOW_MACHINE_MS);
    await signIn(admin.page, `/admin/theatres/${v.theatre1.id}`, LOGINS.admin);
    await admin.page.getByRole('button', { name: 'Details and photo of Salted Popcorn' }).click();
    const editor = admin.page.locator('[data-editor="Salted Popcorn"]');
    await editor.getByLabel('Description of Salted Popcorn').fill('Freshly popped, lightly salted. Large tub.');
    await editor.getByLabel('Mark').selectOption('veg');
    await editor.getByRole('button', { name: 'Save details' }).click();
    await editor.getByText('Details of Salted Popcorn saved.').waitFor();

    const file = editor.getByLabel(/Add a photo/);
    await file.setInputFiles({ name: 'popcorn.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is a text file with a .jpg name\n') });
    await editor.getByText(/^Not a usable photo: The file is not a valid JPEG image/).waitFor();
    expect(await file.getAttribute('aria-invalid')).toBe('true');
    await file.setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
    await editor.getByText('Too large: the photo must be at most 5 MB.').waitFor();

    await file.setInputFiles({ name: 'popcorn.jpg', mimeType: 'image/jpeg', buffer: await photo() });
    await editor.getByText('New photo of Salted Popcorn saved.').waitFor();
    await editor.getByRole('img', { name: 'Photo of Salted Popcorn' }).waitFor();
    expect(await editor.locator('[role="alert"]').allInnerTexts()).toEqual(['', '']);
    await screenshot(admin.page, 'admin-menu-item-editor');
    await admin.context.close();
  }, TEST_MS);

  it('a guest sees marks, photo and description, and a bill whose total is what is charged', async () => {
    const guest = await newPerson(browser, t.http(''), 'guest');
    guest.context.setDefaultTimeout(SLOW_MACHINE_MS);
    const refused: string[] = [];
    guest.page.on('console', (m) => void (/Content Security Policy|Refused to/i.test(m.text()) && refused.push(m.text())));
    await guest.page.goto(`/s/${v.seat1}`);
    const popcorn = guest.page.locator('li.menu-item[data-item="Salted Popcorn"]');
    await popcorn.waitFor();
    expect(await popcorn.getByRole('img', { name: 'Vegetarian' }).count()).toBe(1);
    expect(await guest.page.locator('li[data-item="Chicken Puff"]').getByRole('img', { name: 'Non-vegetarian' }).count()).toBe(1);
    expect(await guest.page.locator('li[data-item="Egg Puff"]').getByRole('img', { name: 'Contains egg' }).count()).toBe(1);
    await popcorn.getByText('Freshly popped, lightly salted. Large tub.').waitFor();
    const img = popcorn.getByRole('img', { name: 'Salted Popcorn', exact: true });
    expect(await img.getAttribute('loading')).toBe('lazy');
    expect(await img.getAttribute('src')).toMatch(/^\/media\/menu\/\d+-[0-9a-f]{16}\.webp$/);
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: SLOW_MACHINE_MS }).toBe(800);
    const box = (await img.boundingBox())!;
    expect(box.width / box.height).toBeCloseTo(4 / 3, 1);
    await shot(guest.page, 'menu-phone');
    expect(refused).toEqual([]);

    await guest.page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
    await guest.page.getByRole('button', { name: 'Add Chicken Puff' }).click();
    await guest.page.getByRole('button', { name: 'Add Chicken Puff' }).click();
    const bill = guest.page.getByLabel('Bill');
    // 250 + 2 × 90 = 430; 10% off = 43; base 387; CGST and SGST 2.5% = 9.675 → 9.68 each; total 406.36.
    const line = (which: string) => bill.locator(`[data-bill="${which}"] dd`);
    expect(await line('subtotal').innerText()).toBe('₹430');
    expect(await line('discount').innerText()).toBe('−₹43');
    await bill.getByText('Matinee offer: 10% off').waitFor();
    expect(await bill.locator('[data-tax="CGST"]').innerText()).toMatch(/CGST 2\.5%\s*₹9\.68/);
    expect(await bill.locator('[data-tax="SGST"]').innerText()).toMatch(/SGST 2\.5%\s*₹9\.68/);
    const total = await line('total').innerText();
    expect(total).toBe('₹406.36');
    await guest.page.getByLabel('Mobile number').fill('98765 43210');
    await guest.page.getByLabel('Pay online').check();
    await guest.page.locator('#checkout-title').scrollIntoViewIfNeeded();
    await shot(guest.page, 'cart-phone');

    // The answers are read as they pass (the page navigates away before a test could ask for them).
    const answers = new Map<string, any>();
    await guest.page.route(/\/api\/orders(\/\d+\/payments)?$/, async (route) => {
      const response = await route.fetch();
      answers.set(new URL(route.request().url()).pathname.endsWith('/payments') ? 'payment' : 'order', await response.json());
      await route.fulfill({ response });
    });
    await guest.page.getByRole('button', { name: `Pay ${total}` }).click();
    await guest.page.waitForURL(/\/pay\/sim\//);
    const order = answers.get('order').order;
    const payment = answers.get('payment');
    expect(order).toMatchObject({ subtotal: 43000, discount: 4300, total: paise(total), amount: paise(total) });
    expect(order.taxes).toEqual([
      { name: 'CGST', rate: 2.5, amount: 968 },
      { name: 'SGST', rate: 2.5, amount: 968 },
    ]);
    expect(payment.amount).toBe(paise(total));
    await guest.page.locator('#pay').click();
    await guest.page.waitForURL(/\/o\/\d+$/);
    await guest.page.locator('[data-status="success"]').waitFor();
    await guest.context.close();
  }, TEST_MS);

  it('the menu and the cart on a desktop screen', async () => {
    const context = await browser.newContext({ baseURL: t.http(''), ...DESKTOP, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    context.setDefaultTimeout(SLOW_MACHINE_MS);
    const page = await context.newPage();
    await page.goto(`/s/${v.seat1}`);
    await page.locator('li.menu-item[data-item="Salted Popcorn"] img').waitFor();
    await expect.poll(() => page.locator('li.menu-item[data-item="Salted Popcorn"] img').evaluate((el) => (el as HTMLImageElement).complete), { timeout: SLOW_MACHINE_MS }).toBe(true);
    await shot(page, 'menu-desktop');
    await page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
    await page.getByRole('button', { name: 'Add Egg Puff' }).click();
    // 250 + 90 = 340; −34; 306; 7.65 each; 321.30.
    expect(await page.getByLabel('Bill').locator('[data-total]').innerText()).toBe('₹321.30');
    await page.locator('#checkout-title').scrollIntoViewIfNeeded();
    await shot(page, 'cart-desktop');
    await context.close();
  }, TEST_MS);
});
