//@# iomap_file_buffered_write: a callee (c_st), run from state CALL of the syscall machines.
/*
 * iomap_file_buffered_write → iomap_write_iter (fs/iomap/buffered-io.c): per
 * page, prefault the source (may fault), write_begin locks the page, an
 * atomic copy that never faults (copied 0 → unlock, go round), write_end
 * allocates the block if needed and unlocks. (The simulator's livelock
 * bound on copied-0 rounds cannot trip: each successful prefault resets it.)
 */
inline iomap_file_buffered_write() {
  do
//@fl iomap-buffered-write.c1
  :: c_st == 1 ->
       if :: c_done >= c_len -> c_ret = c_done; c_st = 0; break :: else fi;
       c_index = c_pos + c_done; c_st = 7
//@fl iomap-buffered-write.c7
  :: c_st == 7 ->
       slot_of(c_buf + c_done); user_copy(0);   /* fault_in_iov_iter_readable (prefault) */
       if
       :: cp_res == COPY_DONE -> c_st = 2
       :: cp_res == COPY_FAULT -> break
       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break
       fi
//@fl iomap-buffered-write.c2
  :: atomic { c_st == 2 ->   /* iomap_write_begin: grab the cached page, or add a new one locked */
       if
       :: cache[c_ino * NX + c_index] != 0 -> c_page = cache[c_ino * NX + c_index] - 1; c_st = 3
       :: else -> new_page(c_ino, c_index, 1); c_page = np_f; c_st = 5
       fi }
//@fl iomap-buffered-write.c3
  :: atomic { c_st == 3 -> down(PAGE_LOCK(c_page), 1); c_st = 4 }   /* lock_page */
//@fl iomap-buffered-write.c4
  :: atomic { c_st == 4 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; c_st = 5 }
//@fl iomap-buffered-write.c5
  :: atomic { c_st == 5 ->   /* copy_page_from_iter_atomic: no faults */
       if :: ACCESS_OK(cp_e, 0) -> c_st = 6 :: else -> up(PAGE_LOCK(c_page)); c_page = 0; c_st = 1 fi }
//@fl iomap-buffered-write.c6
  :: atomic { c_st == 6 ->   /* iomap_write_end: allocate the block if it is a hole, unlock_page */
       if :: !blk[c_ino * NX + c_index] && nfree > 0 -> blk[c_ino * NX + c_index] = 1; nfree-- :: else fi;
       up(PAGE_LOCK(c_page)); c_page = 0; c_done++; c_st = 1 }
  od
}
