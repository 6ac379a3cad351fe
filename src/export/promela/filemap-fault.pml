//@# filemap_fault (src/threads/filemap.ts) as 5.x does it, on f_ino:f_index → g_ret, f_vmfpage: a first attempt (not FAULT_FLAG_TRIED) drops mmap_lock before reading the page in (do_sync_mmap_readahead) or before sleeping on a contended page lock (lock_page_maybe_drop_mmap), and then returns VM_FAULT_RETRY once the page is locked and checked.
/* filemap_fault (mm/filemap.c, 5.x; src/threads/filemap.ts) on f_ino:f_index → g_ret, f_vmfpage (the locked page) */
inline filemap_fault() {
  m_st = 1; f_fpin = 0;
  do
//@fl filemap-fault.m1
  :: atomic { m_st == 1 ->   /* size_check: pgoff ≥ i_size → VM_FAULT_SIGBUS */
       if :: f_index >= i_size[f_ino] -> g_ret = VM_FAULT_SIGBUS; m_st = 0; break :: else -> m_st = 2 fi }
//@fl filemap-fault.m2
  :: atomic { m_st == 2 ->   /* find_get_page / filemap_get_folio; not cached: drop mmap_lock first unless TRIED or already dropped */
       if
       :: cache[f_ino * NX + f_index] != 0 -> g_page = cache[f_ino * NX + f_index] - 1; m_st = 4
       :: else -> m_st = (!f_tried && !f_fpin -> 9 : 3)
       fi }
//@fl filemap-fault.m9
  :: atomic { m_st == 9 -> up(MMAP_LOCK(mm)); f_fpin = 1; m_st = 3 }   /* do_sync_mmap_readahead → maybe_unlock_mmap_for_io */
//@fl filemap-fault.m3
  :: atomic { m_st == 3 ->   /* the read: add the page, ->readahead, unlock_page: one step */
       new_page(f_ino, f_index, 0); m_st = 2 }
//@fl filemap-fault.m4
  :: atomic { m_st == 4 ->   /* lock_page_maybe_drop_mmap: trylock, else (first attempt) mmap_read_unlock, then sleep for the page */
       if
       :: CAN_GRANT(PAGE_LOCK(g_page), 1) -> lk_writer[PAGE_LOCK(g_page)] = t + 1; m_st = 7
       :: else ->
            if :: !f_tried && !f_fpin -> up(MMAP_LOCK(mm)); f_fpin = 1 :: else fi;
            down(PAGE_LOCK(g_page), 1); m_st = 6
       fi }
//@fl filemap-fault.m6
  :: atomic { m_st == 6 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; m_st = 7 }
//@fl filemap-fault.m7
  :: atomic { m_st == 7 ->   /* page->mapping != mapping (truncated) → unlock, look it up again; mmap_lock dropped → unlock, VM_FAULT_RETRY */
       if
       :: pg_map[g_page] != f_ino + 1 -> up(PAGE_LOCK(g_page)); g_page = 0; m_st = 2
       :: pg_map[g_page] == f_ino + 1 && f_fpin -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_RETRY; g_page = 0; f_fpin = 0; m_st = 0; break
       :: pg_map[g_page] == f_ino + 1 && !f_fpin -> m_st = 8
       fi }
//@fl filemap-fault.m8
  :: atomic { m_st == 8 ->   /* i_size re-checked under the page lock */
       if
       :: f_index < i_size[f_ino] -> g_ret = VM_FAULT_LOCKED; f_vmfpage = g_page
       :: else -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_SIGBUS
       fi;
       g_page = 0; m_st = 0; break }
//@fl filemap-fault.return
  od
}
