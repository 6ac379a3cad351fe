import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const pagecachePunchFault: Scenario = {
  id: 'pagecache-punch-fault',
  title: 'Page fault racing hole punch on ext4 (2015) and XFS with i_mmaplock',
  story:
    'Matthew Wilcox on the DAX hole-punch race: "the same problem exists with non-DAX files too … I saw a patch series just recently that fixes it for XFS, but as far as I know, ' +
    'btrfs and ext4 still don\'t play well with pagefault vs hole-punch races." F has 3 pages on blocks; pid 101 loads page 1 through a MAP_SHARED mapping; pid 102 punches a hole over page 1. ' +
    'On ext4 in 4.0 nothing a fault takes is held by ext4_punch_hole: it drops the page cache of the range, frees the block, and drops the page cache again "to reduce race window". ' +
    'But the fault\'s read-around (do_sync_mmap_readahead → mpage_readpages) looks the blocks of the whole window up when it reads the first page and reads the later pages through that ' +
    'mapping: a punch that runs in between leaves page 1 to be read from the freed block, after the punch has returned (ea3d7209ca01, CVE-2015-8839: "we can end up with a page mapped to ' +
    'disk blocks that will be shortly freed"). XFS 4.1 takes i_mmaplock shared in xfs_filemap_fault and exclusive in fallocate, so the punch waits for the fault and the fault for the punch. ' +
    '(The explorer also reaches a livelock under ext4: a schedule in which the punch drops the page each time the fault re-reads it, until the load has faulted eight times; the kernel has no bound either, but no scheduler keeps that up.)',
  fs: 'ext4',
  variants: ['ext4-2015', 'xfs-2015-mmaplock'],
  files: [{ name: 'F', pages: ['disk', 'disk', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 3, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 102, process: 1, program: [{ call: 'punch', file: 'F', pos: 1, len: 1 }] },
  ],
  schedules: [
    {
      name: 'read-around-across-punch',
      description: 'pid 101’s read-around looks up blocks 0–2 with page 0; pid 102’s punch runs to the end (nothing cached to drop, block 1 freed); pid 101 reads page 1 through that mapping.',
      steps: runs([101, 9], [102, 16]),
      expect: {
        'ext4-2015': {
          kind: 'use-after-free',
          summary: 'mpage_readpages adds F:1 after the punch returned and reads it from block 1, which is free: stale data in the page cache where the file has a hole, a page read from freed storage',
          basis: 'inferred',
        },
      },
    },
    {
      name: 'second-drop-catches-it',
      description: 'pid 102 drops the page cache of page 1; pid 101’s read-around adds page 1 while block 1 is still F’s and the load maps it; the punch frees block 1 and drops the page cache again, unmapping it.',
      steps: runs([101, 9], [102, 8], [101, 13]),
      expect: {
        'ext4-2015': {
          kind: 'completed',
          summary: 'the workaround works for a page added before the free: the second truncate_pagecache_range unmaps and drops it, so nothing is left of block 1 in the page cache or the page tables',
          returns: { '101': [0], '102': [0] },
          userPages: { '0:1': '0' },
          filePages: { 'F:1': '0' },
          basis: 'inferred',
        },
      },
    },
    {
      name: 'punch-keeps-dropping-the-page',
      description: 'each time pid 101’s load has faulted page 1 in, pid 102’s page walk finds it again and drops it (unmapping it) before the load can use it; the load faults eight times.',
      steps: runs([102, 5], [101, 20], [102, 3], [101, 13], [102, 2], [101, 17], [102, 3], [101, 17], [102, 3], [101, 17], [102, 3], [101, 17], [102, 4], [101, 17], [102, 5], [101, 13], [102, 2], [101, 1]),
      expect: {
        'ext4-2015': {
          kind: 'livelock',
          summary:
            'no step of the load makes progress while the punch keeps finding the page it re-reads: truncate_inode_pages_range looks the range up again until it finds nothing cached, and the fault keeps putting F:1 back. ' +
            'The model stops a user access after eight faults on one page without progress (FAULT_RETRY_BOUND) and calls it a livelock; the kernel has no such bound, and a fair scheduler lets one of them through.',
          basis: 'inferred',
        },
      },
    },
    {
      name: 'mmaplock-serializes',
      description: 'pid 101’s xfs_filemap_fault holds i_mmaplock shared through the read-around; pid 102’s fallocate sleeps on XFS_MMAPLOCK_EXCL until the fault is done, then drops the page and frees the block.',
      steps: runs([101, 11], [102, 4]),
      expect: {
        'xfs-2015-mmaplock': {
          kind: 'completed',
          summary: 'the punch cannot start while the fault holds i_mmaplock, and no fault can start while the punch does: the page read before the punch is dropped by it, and the file reads as a hole',
          returns: { '101': [0], '102': [0] },
          filePages: { 'F:1': '0' },
          basis: 'verified',
        },
      },
    },
  ],
  sources: [
    'seed dax-fault-handler-2015: "But the same problem exists with non-DAX files too"',
    'fs/ext4/inode.c (v4.0–4.4): ext4_punch_hole, "Now release the pages again to reduce race window"',
    'mm/filemap.c (v4.0): filemap_fault, do_sync_mmap_readahead; fs/mpage.c: mpage_readpages, do_mpage_readpage ("Map blocks using the result from the previous get_blocks call first")',
    'commit ea3d7209ca01, "ext4: fix races between page faults and hole punching" (CVE-2015-8839)',
    'commit 653c60b633a9, "xfs: introduce mmap/truncate lock"; [RFC PATCH 0/6] xfs: truncate vs page fault IO exclusion (1420669543-8093-1-git-send-email-david@fromorbit.com)',
    'fs/xfs/xfs_file.c (v4.1): xfs_filemap_fault, xfs_file_fallocate',
  ],
};
