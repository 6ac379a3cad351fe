/**
 * The read-around of a page fault that misses the page cache on ext4 and
 * xfs in 2015 (mm/filemap.c: filemap_fault → do_sync_mmap_readahead, v4.0),
 * whose ->readpages is mpage_readpages (fs/mpage.c, v4.0; ext4_readpages and
 * xfs_vm_readpages both call it).
 *
 * do_sync_mmap_readahead reads around the fault: ra->start = offset -
 * ra_pages / 2 (not below 0), ra->size = ra_pages (32 pages,
 * VM_MAX_READAHEAD); ra_submit → __do_page_cache_readahead allocates a page
 * for each index of the window below EOF that is not cached, and read_pages
 * hands the list to mpage_readpages. That adds the pages to the page cache
 * one by one, in index order (add_to_page_cache_lru; a page someone else
 * added meanwhile is skipped), and do_mpage_readpage maps each: "Map blocks
 * using the result from the previous get_blocks call first". A page inside
 * the extent the last get_block returned (map_bh) is read from it without
 * asking the filesystem again; only outside it does get_block(create=0) run,
 * for the rest of the request.
 *
 * So the blocks of the later pages are looked up before those pages are in
 * the page cache. A hole punch that runs in between finds nothing to drop
 * (truncate_pagecache_range) and frees the blocks, and the read-around then
 * adds pages read from the freed blocks: stale data where the file now has a
 * hole. That is the race ea3d7209ca01 closed for ext4 in 4.5 (CVE-2015-8839,
 * "we can end up with a page mapped to disk blocks that will be shortly
 * freed"), and XFS in 4.1 (653c60b633a9) by holding i_mmaplock across the
 * fault. The step that reads a block no longer allocated to the page ends the
 * run as a use-after-free of storage. (Inferred from the code: the commit
 * names the race, not this path.)
 *
 * Compressed: a page is added, read and unlocked in one step (the bio is
 * submitted and completes at once); a hole's get_block is not cached across
 * pages, as do_mpage_readpage reuses only a mapped map_bh.
 */
import { addLockedPage } from '../kernel/pagecache.ts';
import { inodeName, sizeInPages, ZEROES, type KernelState } from '../kernel/state.ts';
import { PAGE_SIZE } from '../kernel/ids.ts';
import { FINAL, defineThread } from './define.ts';
import { unlockPage } from './pagelock.ts';
import { local, type ReadaheadRegs } from './regs.ts';
import type { StepInput, StepResult } from './types.ts';

type In = StepInput<ReadaheadRegs>;

/** ra_pages: VM_MAX_READAHEAD (128 KiB) in pages. */
export const RA_PAGES = 32;

/** get_block(create=0) over [index, end): the mapped extent starting there (contiguous blocks), or the hole. */
function extentAt(kernel: KernelState, ino: number, index: number, end: number): { block: number | null; len: number } {
  const map = kernel.inodes[ino]?.map ?? [];
  const first = map[index] ?? null;
  let len = 1;
  while (index + len < end) {
    const next = map[index + len] ?? null;
    if (first === null ? next !== null : next !== first + len) break;
    len++;
  }
  return { block: first, len };
}

function readpages(input: StepInput<unknown>): string {
  return input.variant.fs === 'xfs' ? 'xfs_vm_readpages' : 'ext4_readpages';
}

/** The next page of the window that is not in the page cache, at or after `from`. */
function nextMissing(kernel: KernelState, ino: number, from: number, end: number): number | null {
  const cache = kernel.inodes[ino]?.cache ?? [];
  for (let index = from; index < end; index++) if ((cache[index] ?? null) === null) return index;
  return null;
}

/** One page of mpage_readpages: add it, map it (from map_bh or a new get_block), read it. */
function readPage(input: In): StepResult<'ra.done' | 'ra.page', ReadaheadRegs> {
  const ino = input.regs.ino;
  const file = inodeName(input.kernel, ino);
  const start = local(input.regs.start, 'ra->start');
  const end = start + local(input.regs.size, 'ra->size');
  const index = nextMissing(input.kernel, ino, start + local(input.regs.done, 'the pages read'), end);
  if (index === null) {
    return { event: 'ra.done', label: 'mpage_readpages: every page of the window read', regs: { mapFirst: undefined, mapLen: undefined, mapBlock: undefined } };
  }
  const { mapFirst, mapLen, mapBlock } = input.regs;
  // do_mpage_readpage: "block_in_file > *first_logical_block && block_in_file < (*first_logical_block + nblocks)".
  const cached = mapFirst !== undefined && mapLen !== undefined && mapBlock !== undefined && index > mapFirst && index < mapFirst + mapLen;
  let block: number | null;
  let how: string;
  let map = { mapFirst, mapLen, mapBlock };
  if (cached) {
    block = mapBlock + (index - mapFirst);
    how = `block ${block} from the previous get_block (map_bh)`;
  } else {
    const extent = extentAt(input.kernel, ino, index, end);
    block = extent.block;
    how = `get_block(${file}:${index}, ${end - index} page${end - index > 1 ? 's' : ''}) → ${extent.block === null ? 'hole' : `blocks ${extent.block}–${extent.block + extent.len - 1}`}`;
    map = extent.block === null ? { mapFirst: undefined, mapLen: undefined, mapBlock: undefined } : { mapFirst: index, mapLen: extent.len, mapBlock: extent.block };
  }
  const content = block === null ? ZEROES : (input.kernel.blocks[block]?.content ?? ZEROES);
  const added = addLockedPage(input.kernel, ino, index, input.task.pid, content, true);
  const unlocked = unlockPage(added.kernel, added.page, input.task.pid, true);
  const label = `add_to_page_cache_lru(${file}:${index}) → do_mpage_readpage: ${how} → ${content}`;
  const regs = { done: index - start + 1, ...map };
  const owner = block === null ? null : (input.kernel.blocks[block]?.owner ?? null);
  if (block !== null && (owner === null || owner.ino !== ino || owner.index !== index)) {
    const now = owner === null ? 'which is free' : `which now belongs to ${inodeName(input.kernel, owner.ino)}:${owner.index}`;
    return {
      event: 'ra.page',
      label,
      kernel: unlocked.kernel ?? added.kernel,
      regs,
      outcome: {
        kind: 'use-after-free',
        message: `use-after-free of storage: mpage_readpages read ${file}:${index} from block ${block}, ${now}: get_block mapped it before it was freed, so the page cache now holds stale data where the file has a hole (CVE-2015-8839)`,
      },
    };
  }
  return { event: 'ra.page', label, kernel: unlocked.kernel ?? added.kernel, outcome: unlocked.violation, regs };
}

export const mpageReadahead = defineThread({
  id: 'do_sync_mmap_readahead',
  initial: 'ra_submit',
  states: {
    ra_submit: {
      step: {
        run: (input) => {
          const { ino, index } = input.regs;
          const inode = input.kernel.inodes[ino];
          const size = inode === undefined ? 0 : sizeInPages(inode, PAGE_SIZE);
          const start = Math.max(0, index - RA_PAGES / 2);
          const end = Math.min(start + RA_PAGES, size);
          const file = inodeName(input.kernel, ino);
          return {
            event: 'step.done',
            label: () => `do_sync_mmap_readahead(${file}:${index}) → ra_submit(${file}:${start}–${end - 1}) → read_pages → ->readpages = ${readpages(input)} → mpage_readpages`,
            regs: { start, size: end - start, done: 0 },
          };
        },
      },
      on: { 'step.done': 'readpage' },
    },
    readpage: { step: { run: readPage }, on: { 'ra.page': 'readpage', 'ra.done': 'done' } },
    done: FINAL,
  },
});
