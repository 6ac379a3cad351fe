import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2AbbaDio: Scenario = {
  id: 'gfs2-abba-dio',
  title: 'Two O_DIRECT reads into mmaps of each other’s file (ABBA)',
  story:
    'Jan Kara’s example in the RFC thread. pid 101 reads F1 with O_DIRECT into a private mmap of F2; pid 102 reads F2 with O_DIRECT into a private mmap of F1. ' +
    'Each takes its own file’s inode glock DF, then get_user_pages faults on the other file and gfs2_fault wants that glock SH. SH is not compatible with DF.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [
    { name: 'F1', pages: ['disk'] },
    { name: 'F2', pages: ['disk'] },
  ],
  mappings: [
    { process: 0, file: 'F2', at: 0, pages: 1, shared: false },
    { process: 1, file: 'F1', at: 0, pages: 1, shared: false },
  ],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pread', file: 'F1', pos: 0, len: 1, buf: 0, direct: true }] },
    { pid: 102, process: 1, program: [{ call: 'pread', file: 'F2', pos: 0, len: 1, buf: 0, direct: true }] },
  ],
  schedules: [
    {
      name: 'both-take-DF-first',
      description: 'pid 101 takes glock 2/F1 DF, pid 102 takes glock 2/F2 DF, then each faults on the other file.',
      steps: runs([101, 3], [102, 3]),
      expect: {
        'gfs2-5.15': {
          kind: 'deadlock',
          summary: 'pid 101 holds F1 DF and waits for F2 SH; pid 102 holds F2 DF and waits for F1 SH: a wait-for cycle of two',
          basis: 'verified',
        },
        'gfs2-rfc-2021': {
          kind: 'completed',
          summary: 'each fault sees an outer glock held → LM_FLAG_TRY → GLR_TRYFAILED → VM_FAULT_SIGBUS in kernel mode → -EFAULT; each drops its glock, faults in, retries: both return 4096',
          returns: { '101': [4096], '102': [4096] },
          basis: 'verified',
        },
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'nofault get_user_pages → -EFAULT; each DF holder is marked weak (gfs2_holder_allow_demote only sets the bit) and each fault-in asks for SH on the other file, on the same node: do_promote grants a waiter only if may_grant allows it (SH under a DF glock: no) and demotes weak holders only for a waiter it grants, so both wait: the same cycle of two as 5.15. ' +
            'From the v5.16 code (dc732906c245); no run was reported. The 5.16 series presented auto-demotion as what breaks such cycles (dc732906c245’s message).',
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary: '-EFAULT → gfs2_glock_dq → fault in → gfs2_glock_nq(DF) again → both return 4096',
          returns: { '101': [4096], '102': [4096] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['RFC thread: 20210423173018.23133-2-jack@suse.cz (Jan Kara)', 'fs/gfs2/file.c: gfs2_file_direct_read', 'fs/gfs2/glock.c: may_grant', 'commits b01b2d72da25, dc732906c245, e1fa9ea85ce8', 'fs/gfs2/glock.c (v5.16): do_promote, demote_incompat_holders'],
};
