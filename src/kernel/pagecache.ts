/**
 * Page-cache pages of a file (mm/filemap.c). `find_get_page` takes a
 * reference, not the lock; truncate removes a page by clearing
 * `page->mapping`, which is how a fault that looked the page up before the
 * truncate finds out (filemap_fault: "page->mapping != mapping" → retry).
 */
import type { Ino, PageId, Pid } from './ids.ts';
import { UNLOCKED, acquire } from './sleeplock.ts';
import type { Content, Inode, KernelState, Page } from './state.ts';

export function pageAt(kernel: KernelState, ino: Ino, index: number): PageId | null {
  return kernel.inodes[ino]?.cache[index] ?? null;
}

export function updatePage(kernel: KernelState, id: PageId, change: (page: Page) => Page): KernelState {
  const page = kernel.pages[id];
  if (page === undefined) return kernel;
  const pages = kernel.pages.slice();
  pages[id] = change(page);
  return { ...kernel, pages };
}

export function updateInode(kernel: KernelState, ino: Ino, change: (inode: Inode) => Inode): KernelState {
  const inode = kernel.inodes[ino];
  if (inode === undefined) return kernel;
  const inodes = kernel.inodes.slice();
  inodes[ino] = change(inode);
  return { ...kernel, inodes };
}


/** find_get_page: the page with a reference taken, or null when absent. */
export function findGetPage(kernel: KernelState, ino: Ino, index: number): { kernel: KernelState; page: PageId | null } {
  const page = pageAt(kernel, ino, index);
  if (page === null) return { kernel, page: null };
  return { kernel: updatePage(kernel, page, (p) => ({ ...p, refs: p.refs + 1 })), page };
}

/** put_page / page_cache_release. */
export function putPage(kernel: KernelState, page: PageId): KernelState {
  return updatePage(kernel, page, (p) => ({ ...p, refs: Math.max(0, p.refs - 1) }));
}

/**
 * A page frame the page allocator may hand out again: out of the page cache
 * (page->mapping NULL), no reference left, unlocked with no sleeper, and in
 * no page table, so the kernel has freed it. Reusing it keeps a fault that
 * re-reads a page a truncate keeps dropping from growing the state without
 * bound (the explorer would never see a state twice).
 */
function freePageSlot(kernel: KernelState): PageId | null {
  const mapped = new Set<number>();
  for (const mm of kernel.mms) for (const pte of mm.ptes) if (pte?.kind === 'page') mapped.add(pte.page);
  const id = kernel.pages.findIndex((p, i) => p.mapping === null && p.refs === 0 && p.lock.writer === null && p.lock.readers.length === 0 && p.lock.waiters.length === 0 && !mapped.has(i));
  return id < 0 ? null : id;
}

/**
 * add_to_page_cache_lru with the page locked by `pid` (a page being read in,
 * or a zeroed hole page from dax_load_hole), and a reference for the caller.
 */
export function addLockedPage(
  kernel: KernelState,
  ino: Ino,
  index: number,
  pid: Pid,
  content: Content,
  uptodate: boolean,
): { kernel: KernelState; page: PageId } {
  const page: Page = { mapping: ino, index, lock: acquire(UNLOCKED, pid, true).lock, uptodate, refs: 1, content };
  const id = freePageSlot(kernel) ?? kernel.pages.length;
  const pages = kernel.pages.slice();
  pages[id] = page;
  const withPage = { ...kernel, pages };
  return {
    kernel: updateInode(withPage, ino, (inode) => {
      const cache = inode.cache.slice();
      while (cache.length <= index) cache.push(null);
      cache[index] = id;
      return { ...inode, cache };
    }),
    page: id,
  };
}

/** delete_from_page_cache: the slot empties and page->mapping becomes NULL. */
export function deleteFromPageCache(kernel: KernelState, page: PageId): KernelState {
  const p = kernel.pages[page];
  if (p === undefined || p.mapping === null) return kernel;
  const ino = p.mapping;
  const cleared = updateInode(kernel, ino, (inode) => ({ ...inode, cache: inode.cache.map((c) => (c === page ? null : c)) }));
  return updatePage(cleared, page, (q) => ({ ...q, mapping: null }));
}

export function writePage(kernel: KernelState, page: PageId, content: Content): KernelState {
  return updatePage(kernel, page, (p) => ({ ...p, content, uptodate: true }));
}
