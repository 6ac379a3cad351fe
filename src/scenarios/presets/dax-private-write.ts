import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const daxPrivateWrite: Scenario = {
  id: 'dax-private-write',
  title: 'DAX MAP_PRIVATE write fault: copy_user_bh into the COW page',
  story:
    'pid 101 maps F (page 0 on a block, page 1 a hole) MAP_PRIVATE and stores to both pages; pid 102 reads page 0 through a MAP_SHARED mapping; pid 103 truncates F to one page. ' +
    'A write fault on a private DAX mapping must not map the file\'s block writable: do_cow_fault hands do_dax_fault a COW page, which copy_user_bh fills from the block ' +
    '(clear_user_highpage for a hole, which allocates nothing), and the core mm maps the anonymous copy. With no hole page to lock, do_dax_fault re-checks i_size under i_mmap ' +
    'and returns VM_FAULT_LOCKED still holding i_mmap for read, which do_cow_fault drops once the PTE is in: a truncate either catches the re-check (-EIO → SIGBUS) or waits on i_mmap ' +
    'and zaps the copy. The seed quotes this copy_user_bh hunk (Andrew Morton asked about its cache flushing).',
  fs: 'ext2-dax',
  variants: ['dax-2015'],
  files: [{ name: 'F', pages: ['disk', 'hole'] }],
  mappings: [
    { process: 0, file: 'F', at: 0, pages: 2, shared: false },
    { process: 1, file: 'F', at: 0, pages: 2, shared: true },
  ],
  tasks: [
    {
      pid: 101,
      process: 0,
      program: [
        { call: 'touch', vpage: 0, write: true },
        { call: 'touch', vpage: 1, write: true },
      ],
    },
    { pid: 102, process: 1, program: [{ call: 'touch', vpage: 0, write: false }] },
    { pid: 103, process: 2, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [
    {
      name: 'private-copy',
      description: 'pid 101 stores to page 0 (copy_user_bh of block 0), pid 102 reads page 0 through MAP_SHARED, pid 101 stores to the hole (clear_user_highpage), then truncate.',
      steps: runs([101, 19], [102, 20], [101, 20]),
      expect: {
        'dax-2015': {
          kind: 'completed',
          summary: 'the store lands in pid 101’s anonymous copy: pid 102 still reads F:0 from the file, whose block keeps F:0; the store to the hole allocates no block',
          returns: { '101': [0, 0], '102': [0], '103': [0] },
          userPages: { '0:0': 'w101', '1:0': 'F:0' },
          filePages: { 'F:0': 'F:0' },
          basis: 'verified',
        },
      },
    },
    {
      name: 'truncate-caught-by-recheck',
      description: 'pid 101’s store to page 1 has cleared its COW page; truncate runs to the end; pid 101 takes i_mmap and re-checks i_size.',
      steps: runs([101, 19], [102, 20], [101, 10], [103, 14]),
      expect: {
        'dax-2015': {
          kind: 'sigbus',
          summary: 'the COW branch’s own i_size re-check under i_mmap sees the truncate → i_mmap_unlock_read → -EIO → VM_FAULT_SIGBUS → SIGBUS to pid 101',
          returns: { '101': [0, 2], '102': [0], '103': [0] },
          basis: 'verified',
        },
      },
    },
    {
      name: 'truncate-waits-for-i_mmap',
      description: 'pid 101 returns VM_FAULT_LOCKED holding i_mmap for read; truncate sets i_size and sleeps on i_mmap; do_cow_fault maps the copy and drops i_mmap; the store lands; truncate zaps the copy.',
      steps: runs([101, 19], [102, 20], [101, 12], [103, 6], [101, 8]),
      expect: {
        'dax-2015': {
          kind: 'completed',
          summary: 'unmap_mapping_range waits for the i_mmap the fault still holds, so the anonymous copy is in the page table before truncate zaps it (even_cows): the store completes into a copy that truncate then discards',
          returns: { '101': [0, 0], '102': [0], '103': [0] },
          userPages: { '0:1': '0' },
          basis: 'inferred',
        },
      },
    },
  ],
  sources: [
    'seed dax-fault-handler-2015: the copy_user_bh hunk',
    'fs/dax.c (v4.0): do_dax_fault, "if (vmf->cow_page)", copy_user_bh',
    'mm/memory.c (v4.0): do_cow_fault, "The fault handler has no page to lock, so it holds i_mmap_lock for read to protect against truncate"',
    'commit 2e4cdab0584f, "mm: allow page fault handlers to perform the COW"',
  ],
};
