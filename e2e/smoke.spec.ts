import { expect, test } from '@playwright/test';

test('the served app shows its title and heading', async ({ page }) => {
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('pageerror', (error) => failed.push(error.message));

  await page.goto('./');

  await expect(page).toHaveTitle('Faultline');
  await expect(page.getByRole('heading', { level: 1, name: 'Faultline' })).toBeVisible();
  await page.screenshot({ path: 'e2e/artifacts/smoke.png', fullPage: true });
  expect(failed).toEqual([]);
});

test('the build loads every asset from its own origin, by relative path', async ({ page, baseURL }) => {
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (baseURL === undefined || !request.url().startsWith(baseURL)) foreign.push(request.url());
  });
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(foreign).toEqual([]);

  const srcs = await page.locator('script[src], link[href]').evaluateAll((nodes) =>
    nodes.map((n) => n.getAttribute('src') ?? n.getAttribute('href') ?? ''),
  );
  expect(srcs.length).toBeGreaterThan(0);
  for (const src of srcs) expect(src.startsWith('./')).toBe(true);
});

test('the Content-Security-Policy forbids inline scripts', async ({ page }) => {
  await page.goto('./');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self'");
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true';
    document.body.append(script);
    return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
  });
  expect(ran).toBe(false);
});
