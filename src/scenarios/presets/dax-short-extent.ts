import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const daxShortExtent: Scenario = {
  id: 'dax-short-extent',
  title: 'get_block returns an extent shorter than a page',
  story:
    'A corrupted block map: get_block succeeds for page 1 of F but returns bh.b_size < PAGE_SIZE. do_dax_fault refuses to map less than a page: -EIO, so the load gets SIGBUS. ' +
    'Andrew Morton: "How could this happen?" Matthew Wilcox: "The only way I can think of is if the filesystem was corrupted. But it\'s worth programming defensively, no?"',
  fs: 'ext2-dax',
  variants: ['dax-2015'],
  files: [{ name: 'F', pages: ['disk', 'disk'], shortExtents: [1] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] }],
  schedules: [
    {
      name: 'load-page-1',
      description: 'pid 101 alone.',
      steps: runs([101, 9]),
      expect: {
        'dax-2015': { kind: 'sigbus', summary: 'get_block → bh.b_size < PAGE_SIZE → -EIO → VM_FAULT_SIGBUS → SIGBUS', returns: { '101': [2] }, basis: 'verified' },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015: "if (!error && (bh.b_size < PAGE_SIZE)) error = -EIO;"', 'fs/dax.c (v4.0): do_dax_fault'],
};
