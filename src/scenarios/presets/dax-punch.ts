import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const daxPunch: Scenario = {
  id: 'dax-punch',
  title: 'DAX fault racing hole punch',
  story:
    'F has 4 pages on blocks; pid 101 read-faults page 2 of a MAP_SHARED DAX mapping while pid 102 punches a hole over page 2. ' +
    'Andrew Morton asked how the i_size re-check plays with hole punching; Matthew Wilcox: "It doesn\'t." Punch frees the block without changing i_size, ' +
    'so a fault that looked the block up before the punch still passes the re-check and maps the freed block.',
  fs: 'ext2-dax',
  variants: ['dax-2015', 'dax-invalidate-lock'],
  files: [{ name: 'F', pages: ['disk', 'disk', 'disk', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 4, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 2, write: false }] },
    { pid: 102, process: 1, program: [{ call: 'punch', file: 'F', pos: 2, len: 1 }] },
  ],
  schedules: [
    {
      name: 'punch-between-get-block-and-insert',
      description: 'The fault looks up block 2; the punch unmaps, drops pages and frees block 2; the fault inserts its PTE.',
      steps: runs([101, 9], [102, 13]),
      expect: {
        'dax-2015': {
          kind: 'use-after-free',
          summary: 'the re-check under i_mmap passes (i_size did not change) and vm_insert_mixed maps block 2, which the punch freed: use-after-free of storage',
          basis: 'verified',
        },
      },
    },
    {
      name: 'invalidate-lock-serializes',
      description: 'The fault holds invalidate_lock shared; the punch sleeps on it until the fault is done.',
      steps: runs([101, 10], [102, 5]),
      expect: {
        'dax-invalidate-lock': {
          kind: 'completed',
          summary: 'punch takes invalidate_lock exclusive, so it waits for the fault, then unmaps the new PTE before freeing the block; the load, retried, maps the hole: no stale mapping',
          returns: { '101': [0], '102': [0] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015 ("How does this play with holepunching?" "It doesn\'t.")', 'mm/truncate.c: truncate_pagecache_range', 'commit ea3d7209ca01 (ext4 punch race, CVE-2015-8839)', 'commit 730633f0b7f9 (invalidate_lock)'],
};
