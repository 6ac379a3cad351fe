import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const lockPageRetry: Scenario = {
  id: 'lock-page-retry',
  title: 'lock_page_or_retry: drop mmap_sem and retry, then sleep holding it',
  story:
    'Three processes load from page 1 of F, a hole, through MAP_SHARED DAX mappings. pid 102 gets there first: dax_load_hole creates the zeroed hole page and holds it locked. ' +
    'pid 101 finds the page locked: lock_page_or_retry drops mmap_sem, waits for the page and returns VM_FAULT_RETRY. Its second attempt, with FAULT_FLAG_TRIED, ' +
    'finds the page locked again (pid 103 is checking it) and sleeps on the page lock with mmap_sem held.',
  fs: 'ext2-dax',
  variants: ['dax-2015'],
  files: [{ name: 'F', pages: ['disk', 'hole'] }],
  mappings: [
    { process: 0, file: 'F', at: 0, pages: 2, shared: true },
    { process: 1, file: 'F', at: 0, pages: 2, shared: true },
    { process: 2, file: 'F', at: 0, pages: 2, shared: true },
  ],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 102, process: 1, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 103, process: 2, program: [{ call: 'touch', vpage: 1, write: false }] },
  ],
  schedules: [
    {
      name: 'retry-then-sleep',
      description: 'pid 102 holds the new hole page locked; pid 101 retries; pid 103 locks the page; pid 101’s second attempt sleeps.',
      steps: runs([102, 10], [101, 9], [102, 9], [101, 4], [103, 9], [101, 7]),
      expect: {
        'dax-2015': {
          kind: 'completed',
          summary: 'first attempt: up_read(mmap_sem), wait, VM_FAULT_RETRY; second attempt (FAULT_FLAG_TRIED): lock_page sleeps with mmap_sem held; all three loads read zeroes',
          returns: { '101': [0], '102': [0], '103': [0] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015: find_get_page, lock_page_or_retry, VM_FAULT_RETRY', 'mm/filemap.c: __lock_page_or_retry', 'arch/x86/mm/fault.c: FAULT_FLAG_TRIED retry'],
};
