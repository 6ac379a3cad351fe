import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

const setup = 'pid 101 write-faults page 1 of a MAP_SHARED DAX mapping of F (2 pages, page 1 a hole); pid 102 runs truncate(F, 4096).';

export const daxTruncate: Scenario = {
  id: 'dax-truncate',
  title: 'DAX write fault racing truncate',
  story:
    `${setup} do_dax_fault allocates a block for the hole while truncate sets i_size, unmaps and frees blocks; ` +
    'the fault cannot take i_mutex, so it re-checks i_size under i_mmap before it inserts the PTE (seed: "Check truncate didn\'t happen while we were allocating a block").',
  fs: 'ext2-dax',
  variants: ['dax-2015', 'dax-2015-norecheck', 'dax-invalidate-lock'],
  files: [{ name: 'F', pages: ['disk', 'hole'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: true }] },
    { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [
    {
      name: 'caught-by-recheck',
      description: 'The fault allocates block 1, then truncate runs to the end (size, unmap, free), then the fault inserts.',
      steps: runs([101, 10], [102, 14]),
      expect: {
        'dax-2015': { kind: 'sigbus', summary: 'the i_size re-check under i_mmap sees the truncate → -EIO → VM_FAULT_SIGBUS → SIGBUS to pid 101', returns: { '101': [2], '102': [0] }, basis: 'verified' },
        'dax-2015-norecheck': { kind: 'use-after-free', summary: 'without the re-check the fault inserts a PTE to block 1, which truncate already freed: use-after-free of storage', basis: 'inferred' },
      },
    },
    {
      name: 'pte-before-unmap',
      description: 'The fault completes and the store lands; then truncate unmaps the PTE and frees the block.',
      steps: runs([101, 22], [102, 14]),
      expect: {
        'dax-2015': { kind: 'completed', summary: 'safe: unmap_mapping_range removes the PTE before the block is freed', returns: { '101': [0], '102': [0] }, basis: 'verified' },
        'dax-2015-norecheck': { kind: 'completed', summary: 'safe: the PTE was inserted before the unmap', returns: { '101': [0], '102': [0] }, basis: 'inferred' },
      },
    },
    {
      name: 'fault-then-truncate',
      description: 'Under invalidate_lock: the fault (which takes and drops invalidate_lock) and the store complete, then truncate runs.',
      steps: runs([101, 24], [102, 16]),
      expect: {
        'dax-invalidate-lock': { kind: 'completed', summary: 'safe, and serialized by invalidate_lock', returns: { '101': [0], '102': [0] }, basis: 'verified' },
      },
    },
    {
      name: 'allocate-after-free',
      description: 'The fault passes its first size check; truncate runs to the end; then the fault allocates a block past the new EOF.',
      steps: runs([101, 7], [102, 14]),
      expect: {
        'dax-2015': { kind: 'sigbus', summary: 'the re-check → -EIO → SIGBUS, and the block allocated after the truncate stays allocated past EOF ("the file still has blocks allocated past the end of the file")', returns: { '101': [2], '102': [0] }, basis: 'verified' },
      },
    },
    {
      name: 'invalidate-lock-serializes',
      description: 'The fault takes invalidate_lock shared and allocates; truncate sleeps on invalidate_lock until the fault is done.',
      steps: runs([101, 11], [102, 5]),
      expect: {
        'dax-invalidate-lock': {
          kind: 'sigbus',
          summary: 'truncate sleeps on invalidate_lock until the fault has inserted its PTE; it then unmaps that PTE and frees the block, so the store, retried after the fault, finds the page past EOF → SIGBUS: never a stale mapping',
          returns: { '101': [2], '102': [0] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015 (20150113215334.GK5661@wil.cx)', 'fs/dax.c (v4.0): do_dax_fault, dax_insert_mapping', 'mm/truncate.c: truncate_setsize, truncate_pagecache', 'commit 730633f0b7f9 (invalidate_lock)'],
};
