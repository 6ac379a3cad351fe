import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

/**
 * Seed gfs2-page-faults-2021, question (2): "I'm not aware of any situation
 * in which we can actually end up in .page_mkwrite during a .read_iter or
 * .write_iter operation". A read into a MAP_SHARED mapping whose page is
 * already mapped read-only is one: copy_page_to_iter stores to a present,
 * read-only PTE, and handle_pte_fault sends that to do_wp_page →
 * wp_page_shared → do_page_mkwrite → gfs2_page_mkwrite (mm/memory.c), which
 * wants the glock EX while the read holds it SH.
 */
export const gfs2ReadMkwrite: Scenario = {
  id: 'gfs2-read-mkwrite',
  title: 'page_mkwrite during read_iter: pread into a read-only shared mmap',
  story:
    'Question (2) of the RFC’s cover letter asks whether .page_mkwrite can run during .read_iter. It can: file F has page 0 in the page cache and page 1 on disk; ' +
    'user page 0 is a MAP_SHARED mapping of F page 0, already faulted in read-only by an earlier load. pid 101 reads F page 1 into user page 0. ' +
    'The lockless IOCB_NOIO pass gives up at the uncached page, so the read takes the glock SH; copy_page_to_iter then stores to the read-only PTE: do_wp_page → wp_page_shared → ->page_mkwrite = gfs2_page_mkwrite, which asks for the same glock EX. ' +
    'Because the mapping is shared, the read writes F page 0 through it: afterwards F page 0 holds what F page 1 holds.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [{ name: 'F', pages: ['cached', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true, faulted: [0] }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 1, len: 1, buf: 0 }] }],
  schedules: [
    {
      name: 'read-stores-to-read-only-shared-page',
      description: 'pid 101 alone: the copy stores to user page 0, mapped read-only to F page 0.',
      steps: runs([101, 16]),
      expect: {
        'gfs2-5.15': {
          kind: 'bug',
          summary:
            'copy_page_to_iter → do_wp_page → wp_page_shared → gfs2_page_mkwrite → gfs2_glock_nq(EX) on the glock pid 101 holds SH → trap_recursive → BUG (the recursion check ignores modes). From the code (mm/memory.c handle_pte_fault, fs/gfs2/glock.c add_to_queue); no report of this case found.',
          basis: 'verified',
        },
        'gfs2-rfc-2021': {
          kind: 'completed',
          summary:
            'gfs2_page_mkwrite sees the SH holder of this task (gfs2_glock_is_locked_by_me), which does not cover EX → set_current_needs_retry → VM_FAULT_SIGBUS; in kernel mode the copy takes the exception fixup → -EFAULT; the read drops its glock, iov_iter_fault_in_writeable(PAGE_SIZE) stores through __put_user → do_wp_page → gfs2_page_mkwrite takes EX (no glock held now) → the PTE is made writable; the retried read returns 4096. So the RFC’s trylock logic in .page_mkwrite is not unnecessary. Reconstructed from RFC part 2 (20 May 2021); no run reported.',
          returns: { '101': [4096] },
          userPages: { '0:0': 'F:1' },
          filePages: { 'F:0': 'F:1' },
          basis: 'inferred',
        },
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'the nofault copy fails → -EFAULT; gfs2_holder_allow_demote marks the SH holder weak; fault_in_iov_iter_writeable (get_user_pages, FOLL_WRITE) → do_wp_page → gfs2_page_mkwrite → gfs2_glock_nq(EX): the recursion check skips the weak holder, but may_grant refuses EX under an SH glock and do_promote does not demote the weak holder for a local waiter → pid 101 waits for itself. From the v5.16 code; no run reported.',
          basis: 'verified',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary:
            'the nofault copy fails → -EFAULT → gfs2_glock_dq; fault_in_iov_iter_writeable → do_wp_page → gfs2_page_mkwrite takes EX with no glock held → PTE writable; gfs2_glock_nq(SH) again and the copy succeeds: 4096, and F page 0 now holds F page 1’s data',
          returns: { '101': [4096] },
          userPages: { '0:0': 'F:1' },
          filePages: { 'F:0': 'F:1' },
          basis: 'verified',
        },
      },
    },
  ],
  sources: [
    'seed gfs2-page-faults-2021, question (2)',
    'mm/memory.c: handle_pte_fault → do_wp_page → wp_page_shared → do_page_mkwrite, finish_mkwrite_fault',
    'fs/gfs2/file.c: gfs2_page_mkwrite, gfs2_file_read_iter',
    'fs/gfs2/glock.c: add_to_queue (trap_recursive), do_promote (v5.16)',
    'RFC part 2: 20210520122536.1596602-7-agruenba@redhat.com',
    'commits dc732906c245, e1fa9ea85ce8',
  ],
};
