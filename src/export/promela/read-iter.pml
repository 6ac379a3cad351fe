//@# gfs2_file_read_iter under the variant (src/threads/gfs2.ts): options of run_syscall's do loop over s_st.
//@# The #defines before the first option go before run_syscall (promela-lib.ts: split).
//@# 6.4 reads as 5.18 does (fa58cc888d67 changed the O_DIRECT write only): flag `late`.
/*
//@if none
 * gfs2_file_read_iter (fs/gfs2/file.c), 5.15: the glock is held (SH, O_DIRECT: DF) while the copy to the user buffer faults.
//@elif rfc
 * gfs2_file_read_iter (fs/gfs2/file.c), RFC 2021: LM_FLAG_OUTER; a fault that asked for a retry (current_needs_retry) makes the read drop the glock, fault one page in and retry.
//@elif v516
 * gfs2_file_read_iter (fs/gfs2/file.c), 5.16: the read runs with page faults disabled; on -EFAULT or partial progress the holder is marked may-demote, one page is faulted in, and the read retries (under the glock if still held).
//@elif v518
 * gfs2_file_read_iter (fs/gfs2/file.c), 5.18: the read runs with page faults disabled; on -EFAULT it drops the glock, faults the rest in, re-acquires and retries; no progress → give up.
//@else
 * gfs2_file_read_iter (fs/gfs2/file.c), 6.4: as 5.18.
//@end
 * A first, lockless pass (IOCB_NOIO) copies what is cached; O_DIRECT skips
 * it (gfs2_file_direct_read).
 */
#define R_NOIO 1
#define R_NOIO_RET 2
#define R_NQ 3
#define R_NQ_WAIT 4
#define R_READ 5
#define R_READ_RET 6
#define R_DQ 7
#define R_CHECK_RETRY 8
#define R_FAULTED_IN 9
#define R_ALLOW 10
#define R_DISALLOW 11
#define R_DQ_FAULTIN 12
#define R_RETURN 13
//@fl read-iter.R_NOIO
  :: s_st == R_NOIO ->
       if
       :: direct -> s_st = R_NQ
       :: else -> {{#late}}pfd++; {{/late}}c_ino = ino; c_pos = pos + done; c_len = plen - done; c_buf = buf + done; c_noio = 1; c_kind = CALL_READ; s_ret_to = R_NOIO_RET; c_st = 1; c_done = 0; s_st = CALL
       fi
//@fl read-iter.R_NOIO_RET
  :: s_st == R_NOIO_RET ->
       {{#late}}pfd--; {{/late}}if :: c_ret > 0 -> done = done + c_ret :: else fi; ret = c_ret; c_noio = 0;
       if
       :: c_ret >= 0 && plen == done -> s_st = R_RETURN
       :: else -> if :: c_ret >= 0 || c_ret == -EAGAIN{{#late}} || c_ret == -EFAULT{{/late}} -> s_st = R_NQ :: else -> s_st = R_RETURN fi
       fi
//@fl read-iter.R_NQ read-iter.R_NQ_WAIT
//@use sys_glock(R_NQ, R_NQ_WAIT, R_READ, (direct -> DF : SH), rfc)
//@fl read-iter.R_READ
  :: s_st == R_READ -> {{#nofault}}pfd++; {{/nofault}}c_ino = ino; c_pos = pos + done; c_len = plen - done; c_buf = buf + done; c_write = 0; c_kind = (direct -> CALL_DIO : CALL_READ); s_ret_to = R_READ_RET; c_st = 1; c_done = 0; s_st = CALL
//@if nofault
//@fl read-iter.nofault.R_READ_RET
  :: s_st == R_READ_RET ->
       pfd--; if :: c_ret > 0 -> done = done + c_ret :: else fi; ret = c_ret;
       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = {{#v516}}R_ALLOW{{/v516}}{{#late}}R_DQ_FAULTIN{{/late}} :: else -> s_st = R_DQ fi   /* should_fault_in_pages */
//@fl read-iter.nofault.R_DQ
  :: atomic { s_st == R_DQ -> if :: h_queued[SYS_HOLDER] -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq() :: else fi; s_st = R_RETURN }
//@else
//@fl read-iter.R_READ_RET
  :: s_st == R_READ_RET -> if :: c_ret > 0 -> done = done + c_ret :: else fi; ret = c_ret; s_st = R_DQ
//@fl read-iter.R_DQ
  :: atomic { s_st == R_DQ -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq();{{#rfc}} outer_glock = 0; s_st = R_CHECK_RETRY{{/rfc}}{{^rfc}} s_st = R_RETURN{{/rfc}} }
//@end
//@if rfc
//@fl read-iter.rfc.R_CHECK_RETRY
  :: s_st == R_CHECK_RETRY ->   /* current_needs_retry and -EFAULT → iov_iter_fault_in_writeable(PAGE_SIZE) */
       if
       :: !needs_retry -> s_st = R_RETURN
       :: needs_retry && ret != -EFAULT -> needs_retry = 0; s_st = R_RETURN
       :: needs_retry && ret == -EFAULT -> needs_retry = 0; c_buf = buf + done; c_len = 1; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL
       fi
//@fl read-iter.rfc.R_FAULTED_IN
  :: s_st == R_FAULTED_IN -> if :: c_ret > 0 -> s_st = R_NQ :: else -> ret = -EFAULT; s_st = R_RETURN fi
//@end
//@if v516
//@fl read-iter.R_ALLOW
  :: atomic { s_st == R_ALLOW ->   /* gfs2_holder_allow_demote; fault_in_iov_iter_writeable(1 page) */
       set_may_demote(SYS_HOLDER, 1, ino); c_buf = buf + done; c_len = 1; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_DISALLOW; c_st = 1; c_done = 0; s_st = CALL }
//@fl read-iter.R_DISALLOW
  :: atomic { s_st == R_DISALLOW ->   /* gfs2_holder_disallow_demote */
       set_may_demote(SYS_HOLDER, 0, ino);
       if
       :: c_ret <= 0 -> ret = -EFAULT; s_st = R_DQ   /* no progress: give up */
       :: c_ret > 0 && h_queued[SYS_HOLDER] -> s_st = R_READ   /* glock still held: retry under it */
       :: c_ret > 0 && !h_queued[SYS_HOLDER] && !direct && done > 0 -> s_st = R_RETURN   /* glock lost with bytes read: short read */
       :: else -> s_st = R_NQ   /* glock lost: re-acquire it */
       fi }
//@end
//@if late
//@fl read-iter.R_DQ_FAULTIN
  :: atomic { s_st == R_DQ_FAULTIN -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq(); c_buf = buf + done; c_len = plen - done; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL }
//@fl read-iter.late.R_FAULTED_IN
  :: s_st == R_FAULTED_IN -> if :: c_ret > 0 -> s_st = R_NQ :: else -> ret = -EFAULT; s_st = R_RETURN fi   /* fault-in made no progress: give up */
//@end
//@fl read-iter.R_RETURN
  :: s_st == R_RETURN -> s_st = S_END
