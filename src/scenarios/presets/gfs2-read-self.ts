import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2ReadSelf: Scenario = {
  id: 'gfs2-read-self',
  title: 'Buffered read into an mmap of the same gfs2 file',
  story:
    'pid 101 maps a two-page gfs2 file F (page 0 a hole, page 1 on disk, not cached) MAP_PRIVATE at user page 0 and reads page 1 of F into it: ' +
    'pread(F, buf, 4096, 4096), step 1 of xfstests generic/647. gfs2_file_read_iter holds the inode glock SH while copy_page_to_iter writes the buffer; ' +
    'the copy write-faults, and gfs2_fault asks for the same glock for the same pid.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [{ name: 'F', pages: ['hole', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 1, len: 1, buf: 0 }] }],
  schedules: [
    {
      name: 'read-faults-on-own-mapping',
      description: 'pid 101 alone: the copy faults on user page 0, which maps page 0 of F.',
      steps: runs([101, 15]),
      expect: {
        'gfs2-5.15': {
          kind: 'bug',
          summary: 'copy_page_to_iter faults under the SH glock; gfs2_fault queues a second holder for pid 101 → trap_recursive → BUG, the task dies holding the glock',
          basis: 'verified',
        },
        'gfs2-rfc-2021': {
          kind: 'completed',
          summary: 'the RFC’s gfs2_fault asks for EX on a write fault; the SH pid 101 holds does not cover it → VM_FAULT_SIGBUS in kernel mode → -EFAULT → drop the glock, fault the page in (EX), retry → 4096',
          returns: { '101': [4096] },
          basis: 'verified',
        },
        'gfs2-5.16': {
          kind: 'completed',
          summary:
            'the copy runs with page faults disabled → -EFAULT; gfs2_holder_allow_demote marks the SH holder weak and fault_in_iov_iter_writeable faults page 0 in: the recursion check skips the weak holder, and may_grant lets gfs2_fault’s SH share the SH glock (nothing is demoted); gfs2_holder_disallow_demote, the holder is still queued → retry under the glock → 4096',
          returns: { '101': [4096] },
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary: '-EFAULT with page faults disabled → gfs2_glock_dq → fault in → gfs2_glock_nq again → the retried copy succeeds: 4096',
          returns: { '101': [4096] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['seed gfs2-page-faults-2021 (20210531170123.243771-1-agruenba@redhat.com)', 'fs/gfs2/file.c: gfs2_file_read_iter, gfs2_fault', 'fs/gfs2/glock.c: add_to_queue (trap_recursive)', 'xfstests generic/647, src/mmap-rw-fault.c', 'commits 00bfe02f4796, 296abc0d91d8, e1fa9ea85ce8'],
};
