//@# State CALL of the syscall machines: call the callee named by c_kind, from one place, and the fault its copy took, from one place too (the flags: the callees the scenario reaches).
  :: s_st == CALL ->
       if
//@if callee_read
       :: c_kind == CALL_READ -> filemap_read()
//@end
//@if callee_dio
       :: c_kind == CALL_DIO -> iomap_dio_rw()
//@end
//@if callee_buffered
       :: c_kind == CALL_BUFFERED -> iomap_file_buffered_write()
//@end
//@if callee_faultin
       :: c_kind == CALL_FAULTIN -> fault_in_iov_iter()
//@end
//@if callee_touch
       :: c_kind == CALL_TOUCH -> user_access()
//@end
       fi;
       if
//@fl call-site.returned
       :: c_st == 0 -> c_kind = 0; cp_res = 0; c_inval = 0; s_st = s_ret_to   /* the callee returned */
       :: else -> do_page_fault(cp_e, cp_w); cp_res = (f_ret == 0 -> COPY_RETRY : COPY_FAILED); f_ret = 0   /* its copy faulted: the fault, then back to the copy */
       fi
