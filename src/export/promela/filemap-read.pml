//@# generic_file_read_iter → filemap_read: a callee (c_st), run from state CALL of the syscall machines.
/* generic_file_read_iter → filemap_read (mm/filemap.c): per page, find it (read it in unless IOCB_NOIO), copy_page_to_iter */
inline filemap_read() {
  do
//@fl filemap-read.c1
  :: atomic { c_st == 1 ->   /* filemap_get_pages */
       c_index = c_pos + c_done;
       if
       :: c_done >= c_len || c_index >= i_size[c_ino] -> c_ret = c_done; c_st = 0; break
       :: else ->
            if
            :: cache[c_ino * NX + c_index] != 0 -> c_page = cache[c_ino * NX + c_index] - 1; c_st = 3
            :: else -> if :: c_noio -> c_ret = (c_done > 0 -> c_done : -EAGAIN); c_st = 0; break :: else -> c_st = 2 fi
            fi
       fi }
//@fl filemap-read.c2
  :: atomic { c_st == 2 -> new_page(c_ino, c_index, 0); c_st = 1 }   /* filemap_read_page */
//@fl filemap-read.c3
  :: c_st == 3 ->   /* copy_page_to_iter: writes user memory */
       slot_of(c_buf + c_done); user_copy(1);
       if
       :: cp_res == COPY_DONE -> c_done++; c_page = 0; c_st = 1
       :: cp_res == COPY_FAULT -> break
       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break
       fi
  od
}
