//@# gfs2_fault and gfs2_page_mkwrite (src/threads/gfs2.ts): ->fault and ->page_mkwrite, run by do_page_fault.
//@#
//@# Routing of gfs2_fault / gfs2_page_mkwrite under the RFC: what does the task already hold on this glock?
//@macro rfc_route(mode)
       /* RFC 2021: gfs2_glock_is_locked_by_me → covered (run under it), incompatible (VM_FAULT_SIGBUS, needs retry), or lock (LM_FLAG_TRY if an outer glock is held) */
       g_mode = {{mode}}; nq_g = node * NI + f_ino; nq_i = 0; nq_h = 255;
       do :: nq_i < gl_qlen[nq_g] -> if :: QAT(nq_g, nq_i) / 2 == t && h_granted[QAT(nq_g, nq_i)] && nq_h == 255 -> nq_h = QAT(nq_g, nq_i) :: else fi; nq_i++ :: else -> break od;
       if
       :: nq_h == 255 -> g_st = 1
       :: nq_h != 255 && ((h_mode[nq_h] == EX && g_mode != DF) || h_mode[nq_h] == g_mode) -> g_st = 20   /* holderCovers */
       :: else -> g_ret = VM_FAULT_SIGBUS; needs_retry = 1; g_st = 99
       fi
//@endmacro
//@#
//@# A glock request in mode g_mode plus its wait, as g_st states: `at` queues, `wait` sleeps, then `next`.
//@# Under the RFC it is a trylock when the task holds an outer glock.
//@macro fault_glock(at, wait, next)
  :: atomic { g_st == {{at}} ->
       nq_h = FAULT_HOLDER; nq_ino = f_ino; nq_mode = g_mode; nq_try = {{#rfc}}outer_glock{{/rfc}}{{^rfc}}0{{/rfc}}; glock_nq();
       if
       :: nq_res == NQ_GRANTED -> g_st = {{next}}
       :: nq_res == NQ_QUEUED -> g_st = {{wait}}
//@if rfc
       :: nq_res == NQ_TRYFAILED -> g_ret = VM_FAULT_SIGBUS; needs_retry = 1; g_st = 99   /* GLR_TRYFAILED → set_current_needs_retry → VM_FAULT_SIGBUS */
//@end
       fi }
  :: atomic { g_st == {{wait}} && (h_granted[FAULT_HOLDER] || stopped) -> if :: stopped -> goto stop :: else fi; g_st = {{next}} }   /* gfs2_glock_wait */
//@endmacro
/* gfs2_fault (fs/gfs2/file.c): the inode glock SH, filemap_fault, release */
inline gfs2_fault() {
//@fl gfs2-fault.gfs2_fault.start
//@if rfc
  g_st = 0;
//@else
  g_st = 1; g_mode = SH;
//@end
  do
//@if rfc
//@fl gfs2-fault.gfs2_fault.rfc_route
  :: atomic { g_st == 0 ->   /* the RFC's tree asks for EX on write faults */
//@use rfc_route((f_write -> EX : SH))
     }
//@end
//@fl gfs2-fault.gfs2_fault.g1 gfs2-fault.gfs2_fault.g2
//@use fault_glock(1, 2, 3)
//@fl gfs2-fault.gfs2_fault.g3
  :: g_st == 3 -> filemap_fault(); g_st = 4
//@fl gfs2-fault.gfs2_fault.g4
  :: atomic { g_st == 4 -> dq_h = FAULT_HOLDER; dq_ino = f_ino; glock_dq(); g_st = 99 }
//@if rfc
//@fl gfs2-fault.gfs2_fault.g20
  :: g_st == 20 -> filemap_fault(); g_st = 99   /* filemap_fault under the outer holder */
//@end
//@fl gfs2-fault.gfs2_fault.g99
  :: g_st == 99 -> g_st = 0; break
  od
}

//@if shared
/* gfs2_page_mkwrite (fs/gfs2/file.c) on page g_page: EX glock, size check, lock_page, page->mapping check */
inline gfs2_page_mkwrite() {
//@fl gfs2-fault.page_mkwrite.start
//@if rfc
  g_st = 0;
//@else
  g_st = 1; g_mode = EX;
//@end
  do
//@if rfc
//@fl gfs2-fault.page_mkwrite.rfc_route
  :: atomic { g_st == 0 ->
//@use rfc_route(EX)
     }
//@end
//@fl gfs2-fault.page_mkwrite.g1 gfs2-fault.page_mkwrite.g2
//@use fault_glock(1, 2, 20)
//@fl gfs2-fault.page_mkwrite.g20
  :: atomic { g_st == 20 ->   /* page beyond i_size → VM_FAULT_SIGBUS */
       if :: f_index >= i_size[f_ino] -> g_ret = VM_FAULT_SIGBUS; g_st = 25 :: else -> g_st = 21 fi }
//@fl gfs2-fault.page_mkwrite.g21
  :: atomic { g_st == 21 -> down(PAGE_LOCK(g_page), 1); g_st = 22 }   /* lock_page */
//@fl gfs2-fault.page_mkwrite.g22
  :: atomic { g_st == 22 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; g_st = 23 }
//@fl gfs2-fault.page_mkwrite.g23
  :: atomic { g_st == 23 ->   /* page->mapping unchanged → VM_FAULT_LOCKED; changed (truncated) → unlock_page, VM_FAULT_NOPAGE */
       if
       :: pg_map[g_page] == f_ino + 1 -> g_ret = VM_FAULT_LOCKED; f_vmfpage = g_page
       :: else -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_NOPAGE
       fi;
       g_st = 25 }
//@fl gfs2-fault.page_mkwrite.g25
  :: atomic { g_st == 25 -> if :: h_queued[FAULT_HOLDER] -> dq_h = FAULT_HOLDER; dq_ino = f_ino; glock_dq() :: else fi; g_st = 99 }
//@fl gfs2-fault.page_mkwrite.g99
  :: g_st == 99 -> g_st = 0; g_page = 0; break
  od
}
//@end
