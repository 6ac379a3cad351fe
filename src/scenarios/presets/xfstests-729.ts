import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

const STUCK =
  'every round: gfs2_glock_nq(DF), iomap_dio_rw invalidates F:1 (unmapping user page 1), bio_iov_iter_get_pages cannot fault (nofault) → -EFAULT, ' +
  'the glock goes, fault_in_iov_iter_readable maps F:1 again, and the next round starts from the same state: the explorer finds no state from which the write can return';

export const xfstests729: Scenario = {
  id: 'xfstests-729',
  title: 'xfstests generic/729: an O_DIRECT write of a mapped page onto itself',
  story:
    'generic/729 runs mmap-rw-fault -2: the five cases of generic/647 (the xfstests-647 preset), then a sixth. The file has a hole at page 0 and data at page 1, ' +
    'mapped MAP_PRIVATE; pwrite with O_DIRECT writes mapping page 1, which maps file page 1, onto file page 1 itself. ' +
    'iomap_dio_rw invalidates the page cache over the range it writes before doing the I/O, and invalidate_inode_pages2_range unmaps the page from every process first. ' +
    'So whatever the write faulted in before the round is gone when get_user_pages, now with page faults disabled (nofault), comes to pin it: ' +
    'gfs2 faults it in and retries, and the invalidation undoes the fault-in every time. ' +
    'Before the fix (5.18 to 6.3) the loop never ends: a livelock, not a hang (the task keeps taking steps) and not a deadlock; 5.16, as its auto-demotion is written, hangs on its own weak glock holder before the loop starts. ' +
    'fa58cc888d67 (v6.4) falls back to a buffered write once a round made no progress with a one-page window. ' +
    'Under 5.15 the fault is taken with the DF glock held and BUGs on the recursive glock; under the RFC it fails its own outer glock, which the retry drops and takes again, round after round.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18', 'gfs2-6.4'],
  files: [{ name: 'F', pages: ['hole', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'pwrite', file: 'F', pos: 1, len: 1, buf: 1, direct: true }] }],
  schedules: [
    {
      name: 'the-sixth-case',
      description: 'pid 101 runs the O_DIRECT pwrite of mapping page 1 onto file page 1 (one task: every schedule is this one).',
      steps: runs([101, 5]),
      expect: {
        'gfs2-5.15': { kind: 'bug', summary: 'get_user_pages faults on user page 1 with the DF glock held; gfs2_fault asks for SH as the same pid → trap_recursive → BUG', basis: 'inferred' },
        'gfs2-rfc-2021': { kind: 'livelock', summary: 'gfs2_fault sees the outer DF holder, which does not cover SH → VM_FAULT_SIGBUS → -EFAULT; the write drops the glock, faults one page in and retries, and the invalidation unmaps it again: no round makes progress', basis: 'inferred' },
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'the nofault write fails and gfs2_holder_allow_demote only marks the DF holder weak; fault_in_iov_iter_readable → gfs2_fault → gfs2_glock_nq(SH): v5.16’s do_promote finds no strong holder, may_grant is false under DF, and a waiter on the same node demotes no one, so pid 101 waits behind its own weak holder before the loop can start (as in gfs2-dio-read-self under 5.16). ' +
            'From the v5.16 code; no 5.16 run of generic/729 was reported (the test came in 2023, after 5.18 stopped using auto-demotion).',
          basis: 'verified',
        },
        'gfs2-5.18': { kind: 'livelock', summary: STUCK, basis: 'verified' },
        'gfs2-6.4': {
          kind: 'completed',
          summary: 'the second round makes no progress with a one-page window: enough_retries → fault in once more, ret = 0 → gfs2_file_write_iter writes the page through gfs2_file_buffered_write: 4096 bytes',
          returns: { '101': [4096] },
          filePages: { 'F:1': 'F:1' },
          basis: 'verified',
        },
      },
    },
  ],
  sources: [
    'xfstests tests/generic/729 and src/mmap-rw-fault.c (-2), added by 6e9aa61ef386 "generic: Add mmap + DIO write test" (Andreas Gruenbacher, 2023)',
    'commit fa58cc888d67 "gfs2: Don\'t get stuck writing page onto itself under direct I/O" (v6.4-rc6): "gfs2 will end up in an endless retry loop in gfs2_file_direct_write()"',
    'fs/iomap/direct-io.c: iomap_dio_rw → invalidate_inode_pages2_range before a direct write',
    'Linus Torvalds and Andreas Gruenbacher on the 6.4-rc6 gfs2 pull, 6 June 2023 ("Don\'t get stuck writing page onto itself under direct I/O")',
  ],
};
