import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const daxHolePageEio: Scenario = {
  id: 'dax-hole-page-eio',
  title: 'Hole page locked, mapping intact, i_size already cut: -EIO',
  story:
    'Page 1 of F is a hole with a zeroed page in the page cache (an earlier load left it). pid 101 loads from page 1: do_dax_fault finds the hole page and takes a reference. ' +
    'pid 102 truncates F to one page: i_size_write and unmap_mapping_range, but truncate_inode_pages has not reached the page yet. pid 101 locks the page: page->mapping is still the ' +
    'file, so the repeat loop does not fire, but the i_size re-check under the page lock finds pgoff ≥ size: -EIO, unlock_page, page_cache_release, VM_FAULT_SIGBUS. ' +
    'Andrew Morton asked of this branch: "What happened when this happens?" Matthew Wilcox: "This case is where we have a struct page covering a hole in the file from a read fault ' +
    'and we\'ve raced with a truncate. It\'s basically the same code that\'s in filemap_fault()."',
  fs: 'ext2-dax',
  variants: ['dax-2015', 'dax-invalidate-lock'],
  files: [{ name: 'F', pages: ['disk', 'hole-cached'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [
    {
      name: 'truncate-before-lock-page',
      description: 'pid 101 takes its reference on the hole page; pid 102 sets i_size and unmaps, but has not reached truncate_inode_pages’ page lock; pid 101 locks the page first.',
      steps: runs([101, 8], [102, 8]),
      expect: {
        'dax-2015': {
          kind: 'sigbus',
          summary: 'page->mapping is still F, so no repeat; the i_size re-check under the page lock: pgoff ≥ size → -EIO → unlock_page, page_cache_release → VM_FAULT_SIGBUS → SIGBUS; truncate then locks the page and deletes it',
          returns: { '101': [2], '102': [0] },
          filePages: { 'F:1': '0' },
          basis: 'verified',
        },
      },
    },
    {
      name: 'invalidate-lock-serializes',
      description: 'pid 101’s fault holds invalidate_lock shared; truncate sleeps on it before i_size_write; the load maps the hole page and finishes; truncate then unmaps and deletes it.',
      steps: runs([101, 8], [102, 5], [101, 14]),
      expect: {
        'dax-invalidate-lock': {
          kind: 'completed',
          summary: 'truncate cannot cut i_size while the fault holds invalidate_lock: the branch is unreachable, the load reads zeroes from the hole page, and truncate removes the page afterwards',
          returns: { '101': [0], '102': [0] },
          userPages: { '0:1': '0' },
          basis: 'verified',
        },
      },
    },
  ],
  sources: [
    'seed dax-fault-handler-2015: "What happened when this happens?" — "This case is where we have a struct page covering a hole in the file from a read fault and we\'ve raced with a truncate"',
    'fs/dax.c (v4.0): do_dax_fault, the unlock_page: exit (unlock_page, page_cache_release)',
    'mm/truncate.c (v4.0): truncate_setsize, truncate_inode_pages_range',
    'commit 730633f0b7f9 (invalidate_lock)',
  ],
};
