import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2DioReadSelf: Scenario = {
  id: 'gfs2-dio-read-self',
  title: 'O_DIRECT read into an mmap of the same gfs2 file',
  story:
    'As gfs2-read-self, with O_DIRECT (xfstests generic/647 step 2): gfs2_file_direct_read holds the inode glock DF while get_user_pages ' +
    'faults on user page 0, which maps page 0 of the same file; gfs2_fault wants SH. The recursion check ignores modes, and SH is not compatible with DF.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [{ name: 'F', pages: ['hole', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 1, len: 1, buf: 0, direct: true }] }],
  schedules: [
    {
      name: 'dio-faults-on-own-mapping',
      description: 'pid 101 alone.',
      steps: runs([101, 11]),
      expect: {
        'gfs2-5.15': { kind: 'bug', summary: 'get_user_pages faults under the DF glock; gfs2_fault queues an SH holder for the same pid → trap_recursive → BUG (the recursion check ignores modes)', basis: 'verified' },
        'gfs2-rfc-2021': {
          kind: 'completed',
          summary: 'the task holds DF, gfs2_fault needs SH: incompatible → VM_FAULT_SIGBUS in kernel mode → -EFAULT → drop the glock, fault the page in, retry → 4096',
          returns: { '101': [4096] },
          userPages: { '0:0': 'F:1' },
          basis: 'verified',
        },
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'nofault get_user_pages → -EFAULT; gfs2_holder_allow_demote only marks the DF holder weak; fault_in_iov_iter_writeable → gfs2_fault → gfs2_glock_nq(SH) on the same glock: the recursion check skips the weak holder, but do_promote compares SH with the glock’s state (no strong holder): may_grant is false under DF, the waiter is not at the head, and a local waiter demotes no one (only gfs2_glock_cb, for another node, does) → pid 101 waits for itself forever. ' +
            'From the v5.16 code (dc732906c245 as backported to 5.15.37); no run of it was reported. This disagrees with b01b2d72da25’s description (lose the glock while faulting in, then resume), and with xfstests generic/647 step 2 passing; e1fa9ea85ce8 (5.18) stopped using auto-demotion for "unresolved issues".',
          basis: 'verified',
        },
        'gfs2-5.18': { kind: 'completed', summary: '-EFAULT → gfs2_glock_dq → fault in → DF again → 4096', returns: { '101': [4096] }, userPages: { '0:0': 'F:1' }, basis: 'verified' },
      },
    },
  ],
  sources: ['seed gfs2-page-faults-2021', 'fs/gfs2/file.c: gfs2_file_direct_read', 'fs/gfs2/glock.c: add_to_queue (trap_recursive)', 'xfstests generic/647', 'commits b01b2d72da25, dc732906c245, e1fa9ea85ce8', 'fs/gfs2/glock.c (v5.16): do_promote, may_grant, demote_incompat_holders, gfs2_glock_cb'],
};
