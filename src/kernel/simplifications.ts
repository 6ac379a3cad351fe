/**
 * What the model leaves out or compresses, in words a reviewer can check
 * (kernel-semantics.md §6, then the choices made while modelling). The UI
 * shows this list next to every outcome.
 */
export const SIMPLIFICATIONS: readonly string[] = [
  'One page is one block; pages are 4 KiB; I/O is in whole pages.',
  'No writeback, journaling, quota, resource-group or transaction glocks; readahead reads only the page asked for; ->readpage and ->readahead complete within one step and never fail.',
  '5.x fault retries: a first attempt that must read the page in (do_sync_mmap_readahead) or sleep for its lock (lock_page_maybe_drop_mmap) drops mmap_lock and returns VM_FAULT_RETRY, and the fault runs again with FAULT_FLAG_TRIED, doing its I/O and sleeping with mmap_lock held; so does a shared write fault after ->page_mkwrite (fault_dirty_shared_page; VM_FAULT_COMPLETED in the 6.4 variant). Fatal signals, the other way to a repeated VM_FAULT_RETRY, are not modelled. 2015 retries once, as its code does.',
  '5.15’s filemap_fault takes invalidate_lock shared around creating a page; the gfs2 paths here do not take it (nothing in gfs2 takes it exclusive).',
  'A page frame with no reference, lock, sleeper, page-cache slot or PTE is reused for the next page read in, as freed memory is: a loop that drops and re-reads a page comes back to the same state, so the explorer sees it as a loop.',
  'Writeback is not modelled: a buffered write updates the page cache and its block together, so a later O_DIRECT read sees the data.',
  'DLM deadlock detection is not modelled; the glock workqueue runs within the step that made a demote or grant possible; the minimum glock hold time is ignored.',
  'gfs2 5.16 auto-demotion (HIF_MAY_DEMOTE) follows the v5.16 code as written, not its commit message: gfs2_holder_allow_demote only sets the bit; a local waiter never demotes a may-demote holder (do_promote passes no strong holder to demote_incompat_holders), so it waits behind it, or is granted beside it ("holder stealing", fixed in 2022); only another node’s request (gfs2_glock_cb, __gfs2_glock_dq) dequeues one. The glock workqueue, the DLM’s single blocking callback per request and the minimum hold time are compressed into the step that queues the request.',
  'LM_FLAG_ANY, GL_EXACT and LM_FLAG_NODE_SCOPE are not modelled: gfs2_mmap’s SH|LM_FLAG_ANY request is a plain SH request (under a DF glock with no strong holder the kernel would grant it).',
  'An iomap iteration covers the rest of the request (extents are not modelled): under 5.15 and the RFC the buffered write takes EX in gfs2_iomap_begin → gfs2_write_lock and drops it in gfs2_iomap_end once per iteration, and an iteration ends where the prefault fails. The Promela export takes that EX once around the whole write.',
  'fault_in_iov_iter_writeable in 5.16+ is fault_in_safe_writeable, a get_user_pages walk: it runs the CPU fault’s steps and only its labels and failure are GUP’s. The nofault O_DIRECT paths mark the iterator (iter->nofault, FOLL_NOFAULT) on the iomap_dio_rw frame; the Promela export counts it as pagefault_disable(), which for iomap_dio_rw’s get_user_pages is the same.',
  'The RFC (2021) variant asks for EX on write faults, as the RFC’s tree did; kernel-semantics.md §4 assumes SH, which the RFC would cover without a new holder.',
  'A get_user_pages fault runs the same steps as a CPU fault (mmap_lock, find_vma, handle_mm_fault); its failure (vm_fault_to_errno) and its VM_FAULT_RETRY (faultin_page → -EBUSY, __get_user_pages_locked retries with FOLL_TRIED) are named as GUP does them. 5.16+ fault_in_iov_iter_writeable faults through GUP (fault_in_safe_writeable), the readable one with __get_user.',
  'iomap_dio_rw invalidates the page cache before a direct write (unmapping the pages from every process); that cannot fail here, since no page is ever dirty, and the second invalidation after the I/O (iomap_dio_complete) is not modelled. After 6.4’s fallback to a buffered write, generic_write_sync and invalidate_mapping_pages are not modelled either.',
  'The 6.4 O_DIRECT write faults in what is left of the request, or one page after a round without progress (should_fault_in_pages after fa58cc888d67); nr_dirtied_pause and the 1 MiB cap are not modelled.',
  'Livelock: the explorer reports the states from which no outcome is reachable, once every state has been explored (not under a preemption bound); a replay finished round-robin reports the cycle its own schedule goes round. Two step-level bounds remain modelling devices that report a livelock: a copy faulting 8 times on one page without progress (FAULT_RETRY_BOUND), and a second VM_FAULT_RETRY in the 2015 fault path.',
  'A MAP_PRIVATE write fault on DAX maps the file block; v4.0 copies it into vmf->cow_page. The dax-invalidate-lock variant runs the v4.0 handler’s steps inside invalidate_lock; 5.15’s dax_iomap_pte_fault differs in its steps.',
  'All cluster nodes share one page cache and one set of inode locks (i_rwsem, i_mmap, invalidate_lock); only glocks are per node.',
  'Sleeping locks hand over to the head of their FIFO queue on release; optimistic spinning and lock stealing are not modelled.',
  'truncate_pagecache’s second unmap_mapping_range (for private COW pages instantiated meanwhile) is not modelled.',
  'An O_DIRECT gfs2 write that reaches a hole stops there (-ENOTBLK) and the rest goes through the buffered path.',
  'ext2 has no hole punch: the punch modelled is the generic sequence the seed discusses (unmap, drop pages, free blocks, as ext4_punch_hole did in 2015).',
];
