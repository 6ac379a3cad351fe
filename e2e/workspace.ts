/** Helpers for the workspace: the dock's views are tabs, opened by name. */
import { expect, type Page } from '@playwright/test';

export async function openView(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('tab', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** The window's scroll, which nothing but the user may change. */
export function scrollY(page: Page): Promise<number> {
  return page.evaluate(() => window.scrollY);
}
