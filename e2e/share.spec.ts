import { expect, test } from '@playwright/test';
import { findPreset } from '../src/scenarios/index.ts';
import { encodeLink } from '../src/share/link.ts';
import { openView } from './workspace.ts';

test('a copied link opens the same view in a new page: same scenario, variant, step and state digest', async ({ page, context }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.18');
  for (let i = 0; i < 9; i++) await page.getByRole('button', { name: 'Forward' }).click();
  await page.getByRole('button', { name: 'Step pid 102' }).click();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const url = await page.getByLabel('Link to this view').inputValue();
  expect(url).toMatch(/#v=1&s=gfs2-abba-dio&k=gfs2-5\.18&p=\d+\.[A-Za-z0-9_-]*&c=10$/);
  const digest = await page.getByLabel('State digest').textContent();

  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByLabel('Scenario', { exact: true })).toHaveValue('gfs2-abba-dio');
  await expect(other.getByLabel('Kernel', { exact: true })).toHaveValue('gfs2-5.18');
  await expect(other.getByLabel('State digest')).toHaveText(digest ?? '');
  await expect(other.getByRole('slider', { name: 'Step' })).toHaveValue('10');
  await expect(other.getByRole('status').filter({ hasText: 'Step 10 of' })).toBeVisible();
  // What the two pages show of the kernel is the same, word for word: what the user reads, not pixels a sub-pixel scroll can move.
  const mine = await page.getByRole('region', { name: 'Kernel state' }).innerText();
  await expect(other.getByRole('region', { name: 'Kernel state' })).toHaveText(mine, { useInnerText: true });
  await expect(other.getByRole('region', { name: 'pid 102' })).toHaveText(await page.getByRole('region', { name: 'pid 102' }).innerText(), { useInnerText: true });
  expect(await other.evaluate(() => window.scrollY)).toBe(0);
  await other.screenshot({ path: 'e2e/artifacts/share-opened.png', fullPage: false });
});

test('the browser history follows the cursor: Back returns to the previous step', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Forward' }).click();
  await page.waitForTimeout(450);
  await page.getByRole('button', { name: 'Forward' }).click();
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('2');
  await page.goBack();
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('1');
});

const cases: readonly (readonly [string, string, string])[] = [
  ['malformed', '#hello', 'This link could not be opened: this link is not a Faultline link'],
  ['wrong version', '#v=9&s=gfs2-read-self', 'another version of Faultline (format 9)'],
  ['unknown preset', '#v=1&s=gfs2-reed-self&k=gfs2-5.15', "unknown scenario 'gfs2-reed-self'"],
  ['oversized', `#v=1&s=gfs2-read-self&z=${'x'.repeat(9000)}`, 'this link is too long'],
];

for (const [name, fragment, message] of cases) {
  test(`a ${name} link gets a clear message and the default scenario`, async ({ page }) => {
    await page.goto(`./${fragment}`);
    await expect(page.getByRole('alert')).toContainText(message);
    await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue('gfs2-read-self');
  });
}

test('a link whose schedule steps a blocked task keeps the valid prefix and says why', async ({ page }) => {
  const scenario = findPreset('gfs2-abba-dio');
  if (scenario === undefined) throw new Error('no preset');
  const fragment = encodeLink({ scenario, preset: true, variant: 'gfs2-5.15', schedule: [102, 102, 102, ...Array<number>(14).fill(101)], cursor: 17 });
  await page.goto(`./#${fragment}`);
  await expect(page.getByRole('alert')).toContainText('pid 101 is blocked: waiting for glock 2/F2 in SH: held DF by pid 102');
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('14');
});

test('a broken link pasted into an open page changes nothing the user had open', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('dax-truncate');
  await page.getByRole('button', { name: 'Forward' }).click();
  await page.evaluate(() => {
    window.location.hash = 'v=1&s=nope';
  });
  await expect(page.getByRole('alert')).toContainText('Nothing you had open was changed');
  await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue('dax-truncate');
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveValue('1');
});

test('text from a link is shown as text, never run as HTML', async ({ page }) => {
  const base = findPreset('gfs2-read-self');
  if (base === undefined) throw new Error('no preset');
  const story = '<img src=x onerror="document.title=\'owned\'"> <b>bold?</b>';
  const fragment = encodeLink({ scenario: { ...base, id: 'custom-xss', title: '<script>alert(1)</script>', story }, preset: false, variant: 'gfs2-5.15', schedule: [], cursor: 0 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`./#${fragment}`);
  await openView(page, 'Story & sources');
  await expect(page.getByRole('heading', { level: 2, name: '<script>alert(1)</script>' })).toBeVisible();
  await expect(page.getByText(story)).toBeVisible();
  await expect(page.locator('main img')).toHaveCount(0);
  await expect(page).toHaveTitle('Faultline');
  expect(errors).toEqual([]);
});
