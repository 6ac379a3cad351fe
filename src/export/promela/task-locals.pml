//@# The scratch and frame variables every task proctype declares.
  /* task_struct */
  byte pfd;             /* pagefault_disable() depth */
  bit outer_glock;      /* RFC 2021: holds an outer glock (current->journal_info) */
  bit needs_retry;      /* RFC 2021: a fault asked the syscall to drop its glock and retry */
  bit killed;           /* SIGBUS delivered to a user access */
  byte pc;              /* which program entry */
  /* the syscall and its frame (read_iter, write_iter, truncate, mmap, user access) */
  byte call, ino, pos, plen, buf, arg, s_st, s_ret_to, done;
  bit direct, uw;
  short ret;
  /* the callee frame (filemap_read, iomap_dio_rw, iomap_file_buffered_write, fault_in_iov_iter) */
  byte c_st, c_kind, c_ino, c_pos, c_len, c_buf, c_done, c_index, c_page;
  bit c_noio, c_write;
  bit c_inval;          /* iomap_dio_rw (WRITE) has invalidated its range */
  /* gfs2 6.4 gfs2_file_direct_write: prev_count (done + 1, 0: none), window_size in pages, enough_retries */
  byte w_last, w_win;
  bit w_enough;
  short c_ret;
  /* a kernel copy to or from one user page */
  byte cp_e, cp_res, cp_retries;
  bit cp_w;
  /* do_page_fault */
  byte f_st, f_e, f_ino, f_index, f_vmfpage;
  bit f_write, f_shared, f_tried, f_vma;
  bit f_fpin;           /* filemap_fault dropped mmap_lock (maybe_unlock_mmap_for_io): it owes a VM_FAULT_RETRY */
  short f_ret;
  /* ->fault / ->page_mkwrite (gfs2_fault, gfs2_page_mkwrite) and filemap_fault */
  byte g_st, g_page, g_mode, m_st;
  short g_ret;
