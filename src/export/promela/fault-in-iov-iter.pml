//@# fault_in_iov_iter_writeable / _readable: a callee (c_st), run from state CALL of the syscall machines.
/* fault_in_iov_iter_writeable / _readable (mm/gup.c): touch each page with faults enabled, stop at the first that fails → c_ret pages */
inline fault_in_iov_iter() {
  do
//@fl fault-in-iov-iter.c1
  :: c_st == 1 -> if :: c_done >= c_len -> c_ret = c_done; c_st = 0; break :: else -> c_st = 2 fi
//@fl fault-in-iov-iter.c2
  :: c_st == 2 ->
       slot_of(c_buf + c_done); user_copy(c_write);
       if
       :: cp_res == COPY_DONE -> c_done++; c_st = 1
       :: cp_res == COPY_FAULT -> break
       :: cp_res == COPY_SHORT -> c_ret = c_done; c_st = 0; break
       fi
  od
}
