/** Page-lock helpers used inside larger atomic steps (unlock_page + put_page at the end of a fault). */
import type { PageId } from '../kernel/ids.ts';
import { withSleepLock } from '../kernel/locks.ts';
import { putPage } from '../kernel/pagecache.ts';
import { release } from '../kernel/sleeplock.ts';
import type { KernelState } from '../kernel/state.ts';
import type { StepOutcome } from './types.ts';

export type Unlocked = { readonly kernel: KernelState; readonly violation?: undefined } | { readonly kernel?: undefined; readonly violation: StepOutcome };

/** unlock_page, and put_page when `put`. */
export function unlockPage(kernel: KernelState, page: PageId, pid: number, put: boolean): Unlocked {
  const p = kernel.pages[page];
  if (p === undefined) return { kernel };
  const result = release(p.lock, pid);
  if (!result.ok) return { violation: { kind: 'invariant-violation', message: `pid ${pid} unlocked page ${page}, which it had not locked` } };
  const unlocked = withSleepLock(kernel, { kind: 'page', page }, result.lock);
  return { kernel: put ? putPage(unlocked, page) : unlocked };
}
