//@# truncate and hole punch under gfs2 (src/threads/truncate.ts): options of run_syscall's do loop over s_st.
/*
 * truncate (gfs2_setattr_size) and hole punch (gfs2_punch_hole), under
 * i_rwsem and the glock EX: truncate sets i_size first; then
 * unmap_mapping_range (i_mmap for write: abstracted, it is only ever taken
 * here, under i_rwsem, so it is never contended), then each cached page is
 * locked and deleted (page->mapping = NULL), then the blocks are freed.
 * Truncate removes pages [arg, end), punch [pos, pos + plen).
 */
#define T_ILOCK 41
hidden byte tr_i, tr_from, tr_to;
//@fl truncate.41
  :: atomic { s_st == 41 -> down(I_RWSEM(ino), 1); s_st = 42 }   /* inode_lock */
//@fl truncate.42
  :: atomic { s_st == 42 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 43 }
//@fl truncate.43 truncate.44
//@use sys_glock(43, 44, 45, EX, false)
//@fl truncate.45
  :: atomic { s_st == 45 -> if :: call == SYS_TRUNCATE -> i_size[ino] = arg :: else fi; s_st = 46 }   /* truncate_setsize → i_size_write */
//@fl truncate.46
  :: atomic { s_st == 46 ->   /* unmap_mapping_range (truncate: even_cows) */
       if :: call == SYS_PUNCH -> tr_from = pos; tr_to = pos + plen :: else -> tr_from = arg; tr_to = NX fi;
       um_ino = ino; um_from = tr_from; um_to = tr_to; um_cows = (call == SYS_TRUNCATE); unmap_mapping_range(); s_st = 47 }
//@fl truncate.47
  :: atomic { s_st == 47 ->   /* truncate_inode_pages: the next cached page in the range */
       if :: call == SYS_PUNCH -> tr_from = pos; tr_to = pos + plen :: else -> tr_from = arg; tr_to = NX fi;
       tr_i = tr_from;
       do :: tr_i < tr_to && cache[ino * NX + tr_i] == 0 -> tr_i++ :: else -> break od;
       if :: tr_i < tr_to -> c_page = cache[ino * NX + tr_i] - 1; s_st = 48 :: else -> s_st = 51 fi }
//@fl truncate.48
  :: atomic { s_st == 48 -> down(PAGE_LOCK(c_page), 1); s_st = 49 }   /* lock_page */
//@fl truncate.49
  :: atomic { s_st == 49 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 50 }
//@fl truncate.50
  :: atomic { s_st == 50 ->   /* truncate_inode_page: unmap it again if a fault mapped it, delete_from_page_cache, unlock_page */
       unmap_page(c_page);
       tr_i = 0; do :: tr_i < NX -> if :: cache[ino * NX + tr_i] == c_page + 1 -> cache[ino * NX + tr_i] = 0 :: else fi; tr_i++ :: else -> break od;
       pg_map[c_page] = 0; up(PAGE_LOCK(c_page)); c_page = 0; s_st = 47 }
//@fl truncate.51
  :: atomic { s_st == 51 ->   /* free the blocks */
       if :: call == SYS_PUNCH -> tr_from = pos; tr_to = pos + plen :: else -> tr_from = arg; tr_to = NX fi;
       tr_i = tr_from; do :: tr_i < tr_to -> if :: blk[ino * NX + tr_i] -> blk[ino * NX + tr_i] = 0; nfree++ :: else fi; tr_i++ :: else -> break od;
       s_st = 52 }
//@fl truncate.52
  :: atomic { s_st == 52 -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq(); s_st = 53 }
//@fl truncate.53
  :: atomic { s_st == 53 -> up(I_RWSEM(ino)); s_st = S_END }   /* inode_unlock */
