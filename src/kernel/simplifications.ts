/**
 * What the model leaves out or compresses, in words a reviewer can check
 * (kernel-semantics.md §6, then the choices made while modelling). The UI
 * shows this list next to every outcome.
 */
export const SIMPLIFICATIONS: readonly string[] = [
  'One page is one block; pages are 4 KiB; I/O is in whole pages.',
  'No readahead, writeback, journaling, quota, resource-group or transaction glocks; ->readpage completes within one step and never fails.',
  'Writeback is not modelled: a buffered write updates the page cache and its block together, so a later O_DIRECT read sees the data.',
  'DLM deadlock detection is not modelled; the glock workqueue runs within the step that made a demote or grant possible; the minimum glock hold time is ignored.',
  'gfs2 5.16 auto-demotion (HIF_MAY_DEMOTE) is modelled at a high level (it was removed later): here a conflicting request from the same node also dequeues a may-demote holder of the same task; 5.16’s do_promote may do that only for requests it can grant, which could leave an O_DIRECT read faulting on its own file waiting instead. The 5.16 outcomes that rest on it are marked inferred.',
  'The RFC (2021) variant asks for EX on write faults, as the RFC’s tree did; kernel-semantics.md §4 assumes SH, which the RFC would cover without a new holder.',
  'A get_user_pages fault runs the same steps as a CPU fault (mmap_lock, find_vma, handle_mm_fault); only its failure is reported as GUP reports it.',
  'The dax-invalidate-lock variant runs the v4.0 handler’s steps inside invalidate_lock (hole pages, the i_mmap re-checks, the COW branch); 5.15’s dax_iomap_pte_fault differs in its steps. Its writes invalidate the page cache where 5.15’s dax_iomap_iter does, after allocating a block (IOMAP_F_NEW).',
  'DAX COW faults: copy_user_bh never fails (a mapped block always has an address here), and do_cow_fault’s pte_same check (another thread mapped the page first) is not modelled.',
  'invalidate_inode_pages2_range never meets a dirty page (DAX keeps only read-only hole pages), so its -EBUSY fallback, where a DAX write returns 0, is not modelled; a file with nothing in the page cache skips it without a step.',
  'ext4 and xfs (2015) model mmap, page faults, truncate and hole punch only: their read and write syscalls are refused; ->page_mkwrite (ext4_page_mkwrite, xfs_filemap_page_mkwrite and its i_mmaplock) is not modelled, so a write fault on a MAP_SHARED page maps it writable; ext4’s i_data_sem and journal, and XFS’s i_iolock, are steps, not lock objects.',
  'The read-around of a fault on ext4/xfs covers the whole file (ra_pages is 32 pages); each page is added, read and unlocked in one step, reading through the extent the last get_block returned (mpage_readpages’ map_bh), as the kernel does.',
  'A page frame out of the page cache with no reference, lock or PTE is reused by the next page allocation, as the kernel frees it; otherwise a fault re-reading a page that truncate keeps dropping would never repeat a state.',
  'Lockdep reports print no lock addresses, symbol offsets or register dumps, and every task’s comm is "faultline"; usage characters assume process context with interrupts enabled.',
  'All cluster nodes share one page cache and one set of inode locks (i_rwsem, i_mmap, invalidate_lock); only glocks are per node.',
  'Sleeping locks hand over to the head of their FIFO queue on release; optimistic spinning and lock stealing are not modelled.',
  'truncate_pagecache’s second unmap_mapping_range (for private COW pages instantiated meanwhile) is not modelled.',
  'An O_DIRECT gfs2 write that reaches a hole stops there (-ENOTBLK) and the rest goes through the buffered path.',
  'ext2 has no hole punch: the punch modelled is the generic sequence the seed discusses (unmap, drop pages, free blocks, as ext4_punch_hole did in 2015).',
];
