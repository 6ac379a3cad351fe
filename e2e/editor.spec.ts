import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { openView } from './workspace.ts';

const editor = (page: Page) => page.getByRole('region', { name: 'Scenario editor' });
const problems = (page: Page) => page.getByRole('status', { name: 'Scenario problems' });

async function chosenScenario(page: Page): Promise<string> {
  return (await page.getByLabel('Scenario', { exact: true }).locator('option:checked').textContent()) ?? '';
}

test('an edited scenario is checked as you type, runs, and round-trips through the URL and a JSON file', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Edit scenario' }).click();
  const form = editor(page);
  await expect(form.getByLabel('Scenario id')).toHaveValue('gfs2-read-self');
  await expect(problems(page)).toHaveText('The scenario is valid.');

  // A half-typed pid: the message sits next to the field and names it in the summary; nothing can be opened.
  await form.getByLabel('Pid of task 1').fill('20a');
  await expect(form.getByLabel('Pid of task 1')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('the pid must be an integer from 1 to 99999, not the string "20a"').first()).toBeVisible();
  await expect(problems(page)).toContainText('task 1 (pid 20a), pid');
  await expect(form.getByRole('button', { name: 'Open this scenario' })).toBeDisabled();
  await form.getByLabel('Pid of task 1').fill('201');

  // The documented interleaving steps pid 101, which is gone now.
  await expect(problems(page)).toContainText('interleaving read-faults-on-own-mapping');
  await form.getByRole('button', { name: 'Remove interleaving read-faults-on-own-mapping' }).click();

  // The buffer page already faulted in: a hole cannot have been, until a read fault left a zeroed page in the cache.
  await form.getByLabel('User page 0 of mapping 1 faulted in').check();
  await expect(problems(page)).toContainText('make it hole-cached');
  await form.getByLabel('Page 0 of file 1').selectOption('hole-cached');
  await expect(form.getByLabel('Buffer of task 1 call 1').locator('option:checked')).toHaveText('user page 0: mapping of F page 0, private, faulted in');
  await form.getByLabel('Scenario id').fill('read-self-prefaulted');
  await form.getByLabel('Title').fill('Buffered read into an already-faulted private mmap of the same gfs2 file');
  await expect(problems(page)).toHaveText('The scenario is valid.');
  await form.screenshot({ path: 'e2e/artifacts/editor.png' });
  await form.getByRole('button', { name: 'Open this scenario' }).click();

  // Under 5.15 the copy's write fault is a COW in do_wp_page: gfs2_fault is never called, so no recursive glock and no BUG.
  expect(await chosenScenario(page)).toContain('custom: read-self-prefaulted');
  await expect(page.getByLabel('Kernel', { exact: true })).toHaveValue('gfs2-5.15');
  await page.getByRole('slider', { name: 'Step' }).focus();
  await page.keyboard.press('End');
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('completed');
  await expect(page.getByRole('region', { name: 'Outcome' })).not.toContainText('BUG');

  // The URL carries the scenario itself: a fresh page opens it.
  await page.waitForFunction(() => window.location.hash.includes('x='));
  const url = page.url();
  const other = await page.context().newPage();
  await other.goto(url);
  expect(await chosenScenario(other)).toContain('custom: read-self-prefaulted');
  await other.getByRole('button', { name: 'Edit scenario' }).click();
  await expect(editor(other).getByLabel('Pid of task 1')).toHaveValue('201');
  await expect(editor(other).getByLabel('User page 0 of mapping 1 faulted in')).toBeChecked();
  await other.close();

  // Out as a file, away to a preset, and back in from the file.
  await openView(page, 'Export');
  const saving = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export scenario JSON' }).click();
  const saved = await saving;
  expect(saved.suggestedFilename()).toBe('read-self-prefaulted.json');
  const path = await saved.path();
  const json = JSON.parse(await readFile(path, 'utf8')) as { format: number; id: string; mappings: { faulted?: number[] }[]; tasks: { pid: number }[] };
  expect(json).toMatchObject({ format: 1, id: 'read-self-prefaulted', mappings: [{ faulted: [0] }], tasks: [{ pid: 201 }] });

  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await page.getByLabel('Import scenario JSON').setInputFiles(path);
  await expect(page.getByRole('status').filter({ hasText: 'Imported read-self-prefaulted' })).toBeVisible();
  expect(await chosenScenario(page)).toContain('custom: read-self-prefaulted');
});

test('a broken scenario file is refused with the place it breaks, and what was open stays open', async ({ page }) => {
  await page.goto('./');
  await page.getByLabel('Scenario', { exact: true }).selectOption('gfs2-abba-dio');
  await openView(page, 'Export');
  await page.getByLabel('Import scenario JSON').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "format": 1,\n  "id": "x",\n  "tasks": [\n') });
  await expect(page.getByRole('alert')).toContainText('broken.json could not be imported');
  await expect(page.getByRole('alert')).toContainText('line 5');
  await expect(page.getByRole('alert')).toContainText('Nothing you had open was changed');
  await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue('gfs2-abba-dio');

  await page.getByLabel('Import scenario JSON').setInputFiles({ name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 1, id: 'x', title: 't', story: '', fs: 'gfs2', variants: ['dax-2015'], files: [], mappings: [], tasks: [], schedules: [], sources: [] })) });
  await expect(page.getByRole('alert')).toContainText('wrong.json could not be imported: variants[0]:');
  await expect(page.getByLabel('Scenario', { exact: true })).toHaveValue('gfs2-abba-dio');
});

test('a blank scenario is built from nothing: two tasks in a ring of O_DIRECT reads deadlock under 5.15', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Edit scenario' }).click();
  const form = editor(page);
  await form.getByRole('button', { name: 'Start from a blank scenario' }).click();
  await form.getByLabel('Scenario id').fill('my-abba');
  // Two one-page files, each process maps the other's file privately.
  await form.getByRole('button', { name: 'Remove the last page of file 1' }).click();
  await form.getByRole('button', { name: 'Add a file' }).click();
  await form.getByLabel('Pages of mapping 1', { exact: true }).fill('1');
  await form.getByLabel('File of mapping 1').selectOption('F1');
  await form.getByRole('button', { name: 'Add a mapping' }).click();
  await form.getByLabel('Process of mapping 2').fill('1');
  await form.getByLabel('First user page of mapping 2').fill('0');
  await form.getByLabel('File of mapping 2').selectOption('F');
  await form.getByLabel('Position of task 1 call 1').fill('0');
  await form.getByLabel('O_DIRECT (task 1 call 1)').check();
  await form.getByRole('button', { name: 'Add a task' }).click();
  await form.getByLabel('Call 1 of task 2').selectOption('pread');
  await form.getByLabel('File of task 2 call 1').selectOption('F1');
  await form.getByLabel('Position of task 2 call 1').fill('0');
  await form.getByLabel('O_DIRECT (task 2 call 1)').check();
  await expect(problems(page)).toHaveText('The scenario is valid.');
  await form.getByRole('button', { name: 'Open this scenario' }).click();
  expect(await chosenScenario(page)).toContain('custom: my-abba');

  // pid 101 and 102 each take their own file's glock DF before either faults.
  await page.getByRole('button', { name: 'Clear schedule' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step pid 101' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step pid 102' }).click();
  await page.getByRole('button', { name: 'Run to end from here' }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('deadlock');

  // The explorer takes the custom scenario like a preset: the deadlock is reachable under 5.15 and not under 5.18.
  await openView(page, 'Explore');
  await page.getByRole('button', { name: 'Explore all interleavings' }).click();
  await expect(page.getByRole('status', { name: 'Exploration' })).toContainText('reachable: deadlock', { timeout: 30_000 });
  await page.getByLabel('Kernel', { exact: true }).selectOption('gfs2-5.18');
  await page.getByRole('button', { name: 'Explore all interleavings' }).click();
  await expect(page.getByRole('status', { name: 'Exploration' })).toContainText('no deadlock, BUG or use-after-free is reachable', { timeout: 30_000 });
});

test('a scenario too big for a link still runs, and the editor and Copy link say to share the file instead', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Edit scenario' }).click();
  const form = editor(page);
  // Text that deflate cannot shrink: a link carries it at about 4/3 of its size.
  let seed = 7;
  const noise = (n: number) =>
    Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[seed % 62];
    }).join('');
  await form.getByLabel('Sources (one per line)').fill(Array.from({ length: 16 }, () => noise(480)).join('\n'));
  await expect(problems(page)).toContainText('The scenario is valid. It runs, but a link to it would be');
  await form.getByRole('button', { name: 'Open this scenario' }).click();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('alert')).toContainText('over the 8192 a link may have, so it would not open: share the scenario with "Export scenario JSON" instead');
});
