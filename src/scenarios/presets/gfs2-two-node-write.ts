import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2TwoNodeWrite: Scenario = {
  id: 'gfs2-two-node-write',
  title: 'Two nodes write each file from an mmap of the other',
  story:
    'A cluster of two nodes. pid 101 on node 0 writes F1 from a private mmap of F2; pid 102 on node 1 writes F2 from a private mmap of F1. ' +
    'Each holds its file’s inode glock EX while the copy from the user buffer faults, and each fault wants SH on the other file. ' +
    'The other node holds that glock EX, so the DLM sends it a demote callback, and a node demotes only when its holders are gone.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  nodes: 2,
  files: [
    { name: 'F1', pages: ['disk'] },
    { name: 'F2', pages: ['disk'] },
  ],
  mappings: [
    { process: 0, file: 'F2', at: 0, pages: 1, shared: false },
    { process: 1, file: 'F1', at: 0, pages: 1, shared: false },
  ],
  tasks: [
    { pid: 101, process: 0, node: 0, program: [{ call: 'pwrite', file: 'F1', pos: 0, len: 1, buf: 0 }] },
    { pid: 102, process: 1, node: 1, program: [{ call: 'pwrite', file: 'F2', pos: 0, len: 1, buf: 0 }] },
  ],
  schedules: [
    {
      name: 'both-hold-EX',
      description: 'Each node takes its write glock EX before either copy faults.',
      steps: runs([101, 4], [102, 4]),
      expect: {
        'gfs2-5.15': {
          kind: 'deadlock',
          summary: 'distributed deadlock: node 0 waits for node 1 to demote F2 while pid 102 holds it EX, node 1 waits for node 0 to demote F1 while pid 101 holds it EX',
          basis: 'inferred',
        },
        'gfs2-rfc-2021': {
          kind: 'completed',
          summary: 'each fault is a trylock (an outer glock is held) → GLR_TRYFAILED → -EFAULT → the write drops EX, faults the page in, retries: both write 4096',
          returns: { '101': [4096], '102': [4096] },
          basis: 'inferred',
        },
        'gfs2-5.16': {
          kind: 'completed',
          summary:
            'the copy runs with page faults disabled; each task marks its EX holder weak before its fault-in asks the other node for SH. A request that finds the other holder already weak dequeues it (gfs2_glock_cb, no strong holder left); one that finds it still strong sets GLF_DEMOTE, and the demote waits for that holder’s gfs2_glock_dq. A task whose holder was taken re-acquires EX after its fault-in; one whose holder stayed retries under it: both write 4096, in every interleaving. From the v5.16 code.',
          returns: { '101': [4096], '102': [4096] },
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary: 'the source is faulted in before EX is taken, and EX is dropped before any further fault-in: both write 4096',
          returns: { '101': [4096], '102': [4096] },
          basis: 'inferred',
        },
      },
    },
  ],
  sources: ['seed gfs2-page-faults-2021', 'fs/gfs2/glock.c: run_queue (GLF_DEMOTE before do_promote), handle_callback, gfs2_glock_cb and __gfs2_glock_dq (v5.16)', 'fs/gfs2/lock_dlm.c: gdlm_bast', 'Documentation/filesystems/gfs2-glocks.rst'],
};
