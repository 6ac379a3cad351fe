import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2WriteVsMmap: Scenario = {
  id: 'gfs2-write-vs-mmap',
  title: 'write() under the glock vs mmap() in the same process',
  story:
    'Two threads of one process. pid 101 writes F from a buffer that is a private mmap of G, not yet faulted in; pid 102 mmaps F. ' +
    'pid 101 holds i_rwsem and the glock of F EX when its prefault needs mmap_lock for read; pid 102 holds mmap_lock for write in mmap(), ' +
    'and gfs2_mmap wants the glock of F SH to update atime.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [
    { name: 'F', pages: ['disk'] },
    { name: 'G', pages: ['disk'] },
  ],
  mappings: [{ process: 0, file: 'G', at: 0, pages: 1, shared: false }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 0 }] },
    { pid: 102, process: 0, program: [{ call: 'mmap', file: 'F', pgoff: 0, len: 1, at: 4, shared: true }] },
  ],
  schedules: [
    {
      name: 'mmap-between-glock-and-fault',
      description: 'pid 101 gets as far as its glock (5.18: its prefault), then pid 102 takes mmap_lock for write.',
      steps: runs([101, 4], [102, 2]),
      expect: {
        'gfs2-5.15': {
          kind: 'deadlock',
          summary: 'pid 101 holds glock 2/F EX and waits for mmap_lock (held for write by pid 102); pid 102 holds mmap_lock and waits for glock 2/F SH in gfs2_mmap',
          basis: 'inferred',
        },
        'gfs2-rfc-2021': {
          kind: 'deadlock',
          summary: 'the same cycle: the RFC turns the glock request in gfs2_fault into a trylock, but pid 101 blocks earlier, on mmap_lock, still holding EX',
          basis: 'inferred',
        },
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'gfs2_mmap asks for SH while pid 101’s EX holder is still strong, and waits. pid 101’s copy fails with page faults disabled; gfs2_holder_allow_demote marks EX weak but runs no queue, so the refused SH stays queued, and pid 101’s fault-in waits for mmap_lock, held by pid 102: the cycle of 5.15, reached one step later. From the v5.16 code (glock.h: gfs2_holder_allow_demote only sets HIF_MAY_DEMOTE).',
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary: 'the source is faulted in before EX is taken: pid 101 waits for mmap_lock holding no glock, and both finish',
          returns: { '101': [4096], '102': [0] },
          basis: 'inferred',
        },
      },
    },
    {
      name: 'mmap-during-fault-in',
      description: 'pid 101 gets as far as faulting its source in with the EX holder marked weak; then pid 102 mmaps F; then pid 101 goes on.',
      steps: runs([101, 46], [102, 4], [101, 1]),
      expect: {
        'gfs2-5.16': {
          kind: 'invariant-violation',
          summary:
            'gfs2_mmap’s SH is granted beside pid 101’s weak EX holder: with no strong holder, may_grant compares SH with the EX state (granted) and demote_incompat_holders(gl, NULL) finds nothing incompatible. gfs2_holder_disallow_demote then makes EX strong again while pid 102 holds SH: two conflicting holders on one node. ' +
            'This is the bug "gfs2: do_promote glock holder stealing fix" (Bob Peterson, 2022) describes: "when the glock had no strong holders, we were accidentally calling demote_incompat_holders() with new_gh == NULL, so no weak holders were considered incompatible".',
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['fs/gfs2/file.c: gfs2_mmap, gfs2_file_buffered_write', 'mm/mmap.c: do_mmap under mmap_write_lock', 'commits 00bfe02f4796, dc732906c245, e1fa9ea85ce8', 'gfs2: do_promote glock holder stealing fix (20220629163711.732931-8-agruenba@redhat.com)'],
};
