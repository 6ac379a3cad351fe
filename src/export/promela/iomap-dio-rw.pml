//@# iomap_dio_rw: a callee (c_st), run from state CALL of the syscall machines.
/* iomap_dio_rw (fs/iomap/direct-io.c): pin each user page (bio_iov_iter_get_pages → get_user_pages), or iov_iter_zero for a hole read */
hidden byte dio_i;
inline iomap_dio_rw() {
  do
//@fl iomap-dio-rw.c1
  :: atomic { c_st == 1 ->
       c_index = c_pos + c_done;
       if   /* a write first invalidates the page cache over its range (invalidate_inode_pages2_range), a page at a time */
       :: c_write && !c_inval ->
            dio_i = c_index; do :: dio_i < c_pos + c_len && cache[c_ino * NX + dio_i] == 0 -> dio_i++ :: else -> break od;
            if :: dio_i < c_pos + c_len -> c_page = cache[c_ino * NX + dio_i] - 1; c_st = 3 :: else -> c_inval = 1 fi
       :: else
       fi;
       if
       :: c_st == 3 -> skip
       :: else ->
            if
            :: c_done >= c_len -> c_ret = c_done; c_st = 0; break
            :: c_write && !blk[c_ino * NX + c_index] -> c_ret = c_done; c_st = 0; break   /* gfs2_iomap_begin: a hole → -ENOTBLK, fall back to buffered I/O */
            :: else -> c_st = 2
            fi
       fi }
//@fl iomap-dio-rw.c3
  :: atomic { c_st == 3 -> down(PAGE_LOCK(c_page), 1); c_st = 4 }   /* lock_page */
//@fl iomap-dio-rw.c4
  :: atomic { c_st == 4 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; c_st = 5 }
//@fl iomap-dio-rw.c5
  :: atomic { c_st == 5 ->   /* unmap it from every process, delete it from the page cache, unlock_page */
       if
       :: pg_map[c_page] == c_ino + 1 ->
            unmap_page(c_page);
            dio_i = 0; do :: dio_i < NX -> if :: cache[c_ino * NX + dio_i] == c_page + 1 -> cache[c_ino * NX + dio_i] = 0 :: else fi; dio_i++ :: else -> break od;
            pg_map[c_page] = 0
       :: else
       fi;
       up(PAGE_LOCK(c_page)); c_page = 0; c_st = 1 }
//@fl iomap-dio-rw.c2
  :: c_st == 2 ->
       slot_of(c_buf + c_done); user_copy(!c_write);   /* reading the file writes user memory */
       if
       :: cp_res == COPY_DONE -> c_done++; c_st = 1
       :: cp_res == COPY_FAULT -> break
       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break
       fi
  od
}
