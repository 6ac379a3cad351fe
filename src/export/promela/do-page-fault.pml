//@# do_page_fault and the handle_mm_fault dispatch (src/threads/fault.ts).
/*
 * do_page_fault (arch/x86/mm/fault.c) and handle_mm_fault (mm/memory.c) on
 * PTE slot E, a write fault when W → f_ret: 0 (the access can be retried)
 * or VM_FAULT_SIGBUS. mmap_lock is held for read across the handler;
 * VM_FAULT_RETRY means the handler dropped it, and the fault runs again with
 * FAULT_FLAG_TRIED, as often as it is asked to (5.x: FAULT_FLAG_ALLOW_RETRY
 * stays set). get_user_pages retries the same way.
 */
inline do_page_fault(E, W) {
  f_e = E; f_write = W; f_tried = 0; f_st = 1;
  do
//@fl do-page-fault.f1
  :: atomic { f_st == 1 -> down(MMAP_LOCK(mm), 0); f_st = 2 }   /* mmap_read_lock */
//@fl do-page-fault.f2
  :: atomic { f_st == 2 && (!waiting[t] || stopped) ->
       if :: stopped -> goto stop :: else fi;
       find_vma();
       if :: f_vma -> f_st = 3 :: else -> f_st = 31 fi }   /* no VMA: bad_area */
//@fl do-page-fault.f3
  :: atomic { f_st == 3 ->   /* handle_pte_fault: a PTE that allows the access needs nothing; a write to a present read-only page is do_wp_page, not ->fault */
       if
       :: ACCESS_OK(f_e, f_write) -> f_st = 30
       :: !ACCESS_OK(f_e, f_write) && f_write && PTE_IS_PAGE(pte[f_e]) && !PTE_W(pte[f_e]) -> f_st = 10
       :: else -> f_st = 4
       fi }
//@fl do-page-fault.f4
  :: f_st == 4 ->   /* ->fault = gfs2_fault, then what it returned */
       gfs2_fault();
       if
       :: g_ret == VM_FAULT_RETRY -> f_tried = 1; f_vmfpage = 0; f_st = 1
       :: g_ret == VM_FAULT_NOPAGE -> f_st = 30
       :: g_ret == VM_FAULT_LOCKED && !f_write -> f_st = 5
       :: g_ret == VM_FAULT_LOCKED && f_write && !f_shared -> f_st = 6
//@if shared
       :: g_ret == VM_FAULT_LOCKED && f_write && f_shared -> f_st = 7
//@end
       :: else -> f_st = 31
       fi
//@fl do-page-fault.f5
  :: atomic { f_st == 5 -> pte[f_e] = PTE_PAGE(f_vmfpage, 0); up(PAGE_LOCK(f_vmfpage)); f_st = 30 }   /* do_read_fault: set_pte read-only, unlock_page */
//@fl do-page-fault.f6
  :: atomic { f_st == 6 -> pte[f_e] = PTE_ANON; up(PAGE_LOCK(f_vmfpage)); f_st = 30 }   /* do_cow_fault: copy to an anonymous page, unlock_page */
//@if shared
//@fl do-page-fault.f7
  :: atomic { f_st == 7 -> up(PAGE_LOCK(f_vmfpage)); g_page = f_vmfpage; f_st = 11 }   /* do_shared_fault: unlock_page, ->page_mkwrite */
//@fl do-page-fault.f10
  :: atomic { f_st == 10 ->   /* do_wp_page: wp_page_copy for a private mapping, else ->page_mkwrite */
       if
       :: !f_shared || !PTE_IS_PAGE(pte[f_e]) -> pte[f_e] = PTE_ANON; f_st = 30
       :: else -> g_page = PTE_SLOT(pte[f_e]); f_st = 11
       fi }
//@fl do-page-fault.f11
  :: f_st == 11 ->   /* ->page_mkwrite = gfs2_page_mkwrite, then what it returned */
       gfs2_page_mkwrite();
       if
       :: g_ret == VM_FAULT_LOCKED -> f_st = 12
       :: g_ret == VM_FAULT_NOPAGE -> f_st = 30
       :: else -> f_st = 31
       fi
//@fl do-page-fault.f12
  :: atomic { f_st == 12 ->   /* set_pte writable, unlock_page; fault_dirty_shared_page: a first attempt drops mmap_lock for balance_dirty_pages */
       pte[f_e] = PTE_PAGE(f_vmfpage, 1); up(PAGE_LOCK(f_vmfpage));
       if
       :: f_tried -> f_st = 30
//@if v64
       :: else -> up(MMAP_LOCK(mm)); f_ret = 0; f_st = 0; break   /* VM_FAULT_COMPLETED */
//@else
       :: else -> up(MMAP_LOCK(mm)); f_tried = 1; f_vmfpage = 0; f_st = 1   /* VM_FAULT_RETRY */
//@end
       fi }
//@else
//@fl do-page-fault.nonshared.f10
  :: atomic { f_st == 10 -> pte[f_e] = PTE_ANON; f_st = 30 }   /* do_wp_page → wp_page_copy (no MAP_SHARED mapping in this scenario: no ->page_mkwrite) */
//@end
//@fl do-page-fault.f30
  :: atomic { f_st == 30 -> up(MMAP_LOCK(mm)); f_ret = 0; f_st = 0; break }   /* mmap_read_unlock */
//@fl do-page-fault.f31
  :: atomic { f_st == 31 -> up(MMAP_LOCK(mm)); f_ret = VM_FAULT_SIGBUS; f_st = 0; break }   /* mmap_read_unlock → VM_FAULT_SIGBUS */
//@fl do-page-fault.return
  od;
  f_e = 0; f_write = 0; f_tried = 0; f_vmfpage = 0; f_ino = 0; f_index = 0; f_shared = 0; f_vma = 0; f_fpin = 0; g_ret = 0; g_mode = 0
}
