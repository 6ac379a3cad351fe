import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

/**
 * Seed gfs2-page-faults-2021, question (1): Jan Kara pointed out that
 * VM_FAULT_SIGBUS from .fault raises SIGBUS; Andreas Gruenbacher answered
 * that accesses "via call chains like iov_iter_fault_in_readable ->
 * fault_in_pages_readable -> __get_user" fail with -EFAULT instead. Both are
 * right, for different modes: arch/x86/mm/fault.c sends the signal only for
 * a user-mode access (mm_fault_error → do_sigbus → force_sig_fault); a
 * kernel-mode access goes to the exception table (fixup_exception) and the
 * uaccess returns -EFAULT.
 */
/** pwrite returns -EFAULT (-14); the load records VM_FAULT_SIGBUS (2), as every touch that ends in SIGBUS does; truncate returns 0. */
const USER_SIGBUS = { '101': [-14, 2], '102': [0] };

export const gfs2SigbusKernelVsUser: Scenario = {
  id: 'gfs2-sigbus-kernel-vs-user',
  title: 'One VM_FAULT_SIGBUS: -EFAULT in the kernel, SIGBUS in user space',
  story:
    'Jan Kara’s question in the RFC thread: does VM_FAULT_SIGBUS from gfs2_fault reach user space as SIGBUS? Here one page gives VM_FAULT_SIGBUS to both kinds of access. ' +
    'User page 1 is a MAP_SHARED mapping of G page 1; pid 102, another thread of the process, truncates G to one page, so that page now lies past EOF and filemap_fault answers VM_FAULT_SIGBUS. ' +
    'pid 101 then writes F from user page 1: the prefault touches it from the kernel (iov_iter_fault_in_readable → fault_in_pages_readable → __get_user), the fault fails in kernel mode, fixup_exception makes __get_user return -EFAULT, and pwrite returns -EFAULT with no signal. ' +
    'Then pid 101 loads from the same page in user mode: the same VM_FAULT_SIGBUS, now do_sigbus → SIGBUS. ' +
    'The RFC’s own VM_FAULT_SIGBUS (a failed trylock or an incompatible outer holder) needs a glock held by the task, which only happens inside a syscall, so it only ever meets the kernel-mode half.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [
    { name: 'F', pages: ['disk'] },
    { name: 'G', pages: ['disk', 'disk'] },
  ],
  mappings: [{ process: 0, file: 'G', at: 0, pages: 2, shared: true }],
  tasks: [
    {
      pid: 101,
      process: 0,
      program: [
        { call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 1 },
        { call: 'touch', vpage: 1, write: false },
      ],
    },
    { pid: 102, process: 0, program: [{ call: 'truncate', file: 'G', size: 1 }] },
  ],
  schedules: [
    {
      name: 'truncate-then-kernel-then-user-access',
      description: 'pid 102 truncates G first; then pid 101 writes from the page past EOF and loads from it.',
      steps: runs([102, 16]),
      expect: {
        'gfs2-5.15': {
          kind: 'sigbus',
          summary:
            'the prefault under the EX glock: __get_user → gfs2_fault(G:1) → filemap_fault: past EOF → VM_FAULT_SIGBUS → kernel mode: fixup_exception → -EFAULT, pwrite returns -EFAULT; the user load → VM_FAULT_SIGBUS → do_sigbus → SIGBUS to pid 101',
          returns: USER_SIGBUS,
          basis: 'verified',
        },
        'gfs2-rfc-2021': {
          kind: 'sigbus',
          summary:
            'the same: the prefault’s gfs2_fault is a trylock (the outer EX glock of F is held), granted, and filemap_fault answers VM_FAULT_SIGBUS; needs_retry is not set, so the write returns -EFAULT; the user load gets SIGBUS',
          returns: USER_SIGBUS,
          basis: 'inferred',
        },
        'gfs2-5.16': {
          kind: 'sigbus',
          summary:
            'the copy fails with page faults disabled; fault_in_iov_iter_readable → fault_in_readable → __get_user → VM_FAULT_SIGBUS → fixup → no progress → pwrite returns -EFAULT; the user load gets SIGBUS',
          returns: USER_SIGBUS,
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'sigbus',
          summary: 'the prefault before the glock: fault_in_iov_iter_readable → __get_user → VM_FAULT_SIGBUS → fixup → nothing faulted in → -EFAULT; the user load gets SIGBUS',
          returns: USER_SIGBUS,
          basis: 'verified',
        },
      },
    },
  ],
  sources: [
    'seed gfs2-page-faults-2021, question (1); Jan Kara: https://listman.redhat.com/archives/cluster-devel/2021-May/msg00080.html',
    'arch/x86/mm/fault.c: do_user_addr_fault, mm_fault_error, do_sigbus, kernelmode_fixup_or_oops (no_context before 5.12)',
    'include/linux/pagemap.h: fault_in_pages_readable (fault_in_readable from 5.16)',
    'mm/filemap.c: filemap_fault (pgoff past EOF → VM_FAULT_SIGBUS)',
  ],
};
