import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const daxWriteHolePage: Scenario = {
  id: 'dax-write-hole-page',
  title: 'A DAX write drops the hole page a load mapped',
  story:
    'Page 1 of F is a hole. pid 101 loads from it three times through a MAP_SHARED mapping: the first load leaves a zeroed hole page in the page cache, mapped read-only. ' +
    'pid 102 writes one page at offset 4096 from a buffer that maps G. On DAX the write goes down the direct-I/O path: generic_file_direct_write drops the clean page-cache pages ' +
    'of the range with invalidate_inode_pages2_range (unmapping them first), dax_do_io allocates a block for page 1 and copies into it, and invalidate_inode_pages2_range runs again ' +
    'for pages faulted in meanwhile. Without it the hole page would stay mapped and pid 101 would keep reading zeroes after the write.',
  fs: 'ext2-dax',
  variants: ['dax-2015', 'dax-invalidate-lock'],
  files: [
    { name: 'F', pages: ['disk', 'hole'] },
    { name: 'G', pages: ['disk'] },
  ],
  mappings: [
    { process: 0, file: 'F', at: 0, pages: 2, shared: true },
    { process: 1, file: 'G', at: 4, pages: 1, shared: false, faulted: [4] },
  ],
  tasks: [
    {
      pid: 101,
      process: 0,
      program: [
        { call: 'touch', vpage: 1, write: false },
        { call: 'touch', vpage: 1, write: false },
        { call: 'touch', vpage: 1, write: false },
      ],
    },
    { pid: 102, process: 1, program: [{ call: 'pwrite', file: 'F', pos: 1, len: 1, buf: 4 }] },
  ],
  schedules: [
    {
      name: 'write-drops-the-hole-page',
      description: 'pid 101’s first load maps the hole page; pid 102’s write drops it before dax_do_io; pid 101’s next loads fault and map the written block.',
      steps: runs([101, 18], [102, 13]),
      expect: {
        'dax-2015': {
          kind: 'completed',
          summary: 'invalidate_inode_pages2_range before ->direct_IO unmaps and drops the hole page; the next load faults, get_block finds the new block, and pid 101 reads G:0',
          returns: { '101': [0, 0, 0], '102': [4096] },
          userPages: { '0:1': 'G:0' },
          filePages: { 'F:1': 'G:0' },
          basis: 'verified',
        },
      },
    },
    {
      name: 'hole-page-between-invalidations',
      description: 'pid 102 drops the first hole page; before dax_do_io allocates, pid 101’s second load creates and maps a new one; after the copy, the second invalidate_inode_pages2_range drops that one too.',
      steps: runs([101, 18], [102, 7], [101, 18], [102, 10]),
      expect: {
        'dax-2015': {
          kind: 'completed',
          summary: 'the hole page faulted in while the write ran is unmapped and dropped by the invalidation after ->direct_IO, so the third load maps the block and reads G:0',
          returns: { '101': [0, 0, 0], '102': [4096] },
          userPages: { '0:1': 'G:0' },
          basis: 'inferred',
        },
      },
    },
    {
      name: 'iomap-new-block-invalidates',
      description: '5.15: pid 101’s load maps the hole page; pid 102’s dax_iomap_rw allocates the block (IOMAP_F_NEW) and invalidates the range before copying.',
      steps: runs([101, 20], [102, 12]),
      expect: {
        'dax-invalidate-lock': {
          kind: 'completed',
          summary: 'dax_iomap_iter: "Write can allocate block for an area which has a hole page mapped into page tables": invalidate_inode_pages2_range after the allocation; the next load reads G:0',
          returns: { '101': [0, 0, 0], '102': [4096] },
          userPages: { '0:1': 'G:0' },
          basis: 'inferred',
        },
      },
    },
  ],
  sources: [
    'mm/filemap.c (v4.0): generic_file_direct_write, invalidate_inode_pages2_range before and after ->direct_IO',
    'mm/truncate.c (v4.0): invalidate_inode_pages2_range, "Zap the rest of the file in one hit"',
    'fs/dax.c (v4.0): dax_do_io, dax_load_hole ("We\'ll kick it out of the page cache if it\'s ever written to")',
    'fs/dax.c (5.15): dax_iomap_iter, IOMAP_F_NEW → invalidate_inode_pages2_range',
  ],
};
