import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const imutexMmapsem: Scenario = {
  id: 'imutex-mmapsem',
  title: 'A DAX fault handler that takes i_mutex',
  story:
    'Why the DAX fault handler must not take i_mutex (seed: "We\'re in a page fault handler, and we may already be holding i_mutex. We\'re definitely holding mmap_sem"; ' +
    'mm/rmap.c orders i_mutex before mmap_sem). pid 101 writes F from a buffer that is a MAP_SHARED mmap of F; pid 102, a thread of the same process, loads from the write\'s buffer page; ' +
    'pid 103, a third thread, calls mmap(). Under the hypothetical handler, the write\'s own fault sleeps on the i_mutex it holds; or, with the mmap() writer queued on mmap_sem, ' +
    'the three threads wait in a ring; or nothing hangs at all, and lockdep still reports the inversion: the load\'s fault took mmap_sem → i_mutex, the write\'s copy might fault under i_mutex.',
  fs: 'ext2-dax',
  variants: ['dax-imutex-fault', 'dax-2015'],
  files: [
    { name: 'F', pages: ['disk', 'disk'] },
    { name: 'G', pages: ['disk'] },
  ],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 1 }] },
    { pid: 102, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 103, process: 0, program: [{ call: 'mmap', file: 'G', pgoff: 0, len: 1, at: 8, shared: false }] },
  ],
  schedules: [
    {
      name: 'self-deadlock',
      description: 'write(F, buf = mmap(F)): pid 101 holds i_mutex, the copy faults, and the fault handler takes i_mutex.',
      steps: runs([101, 9]),
      expect: {
        'dax-imutex-fault': { kind: 'deadlock', summary: 'pid 101 sleeps in the fault on the i_mutex it took in write(): a self-deadlock (i_mutex → mmap_sem → i_mutex)', basis: 'inferred' },
        'dax-2015': { kind: 'completed', summary: 'the real handler takes no i_mutex: the fault maps the block and the write completes', returns: { '101': [4096], '102': [0], '103': [0] }, basis: 'verified' },
      },
    },
    {
      name: 'three-task-cycle',
      description: 'pid 101 takes i_mutex; pid 102 faults and holds mmap_sem for read; pid 103 queues for mmap_sem as a writer; pid 101’s fault queues behind the writer; pid 102’s handler wants i_mutex.',
      steps: runs([101, 2], [102, 3], [103, 2], [101, 3], [102, 4]),
      expect: {
        'dax-imutex-fault': {
          kind: 'deadlock',
          summary: 'pid 101 (holds i_mutex) waits for mmap_sem behind writer pid 103; pid 103 waits for reader pid 102; pid 102 (holds mmap_sem) waits for i_mutex: a cycle of three through the fair rwsem',
          basis: 'inferred',
        },
        'dax-2015': { kind: 'completed', summary: 'no i_mutex in the fault: pid 102 finishes, the mmap() writer goes, then the write', returns: { '101': [4096], '102': [0], '103': [0] }, basis: 'verified' },
      },
    },
    {
      name: 'no-deadlock-lockdep-warns',
      description: 'pid 102 faults the buffer page in (mmap_sem → i_mutex) and finishes, pid 103 maps G, then pid 101 writes: its copy finds the page present and never faults, yet copy_from_iter\'s might_fault records i_mutex → mmap_sem.',
      steps: runs([102, 22], [103, 7]),
      expect: {
        'dax-imutex-fault': {
          kind: 'completed',
          summary: 'every task finishes; lockdep still reports the circular dependency i_mutex → mmap_sem → i_mutex, seen once from each side',
          returns: { '101': [4096], '102': [0], '103': [0] },
          basis: 'inferred',
        },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015 (20150113215334.GK5661@wil.cx)', 'mm/rmap.c: lock ordering comment', 'kernel/locking/rwsem.c: readers queue behind a waiting writer', 'Documentation/locking/lockdep-design.rst'],
};
