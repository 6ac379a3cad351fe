//@# gfs2_file_write_iter under the variant (src/threads/gfs2-write.ts): options of run_syscall's do loop over s_st.
//@# The #defines before the first option go before run_syscall (promela-lib.ts: split).
/*
//@if none
 * gfs2_file_write_iter (fs/gfs2/file.c), 5.15: i_rwsem, then the glock (EX, O_DIRECT: DF) while the copy from the user buffer faults.
//@elif rfc
 * gfs2_file_write_iter (fs/gfs2/file.c), RFC 2021: LM_FLAG_OUTER; after the glock is dropped, a fault that asked for a retry is retried after iov_iter_fault_in_readable(PAGE_SIZE).
//@elif v516
 * gfs2_file_write_iter (fs/gfs2/file.c), 5.16: copy with page faults disabled; on -EFAULT or partial progress mark the holder may-demote, fault one page in, retry.
//@elif v518
 * gfs2_file_write_iter (fs/gfs2/file.c), 5.18: buffered writes fault the source in before taking the glock; a short copy drops the glock and goes round; O_DIRECT drops the glock, faults in and retries.
//@else
 * gfs2_file_write_iter (fs/gfs2/file.c), 6.4: as 5.18, but an O_DIRECT write whose retry made no progress with a one-page window faults in once more and falls back to a buffered write (fa58cc888d67).
//@end
 * An O_DIRECT write that stops at a hole goes on as a buffered write.
//@if none || rfc
 * The buffered EX is taken here around the whole write; the simulator takes it
 * in gfs2_iomap_begin → gfs2_write_lock per iomap iteration: for one iteration,
 * the same locks in the same order.
//@end
 */
#define W_ILOCK 21
#define W_ILOCK_WAIT 22
#define W_NQ 23
#define W_NQ_WAIT 24
#define W_WRITE 25
#define W_WRITE_RET 26
#define W_DQ 27
#define W_AFTER_DQ 28
#define W_CHECK_RETRY 29
#define W_FAULTED_IN 30
#define W_ALLOW 31
#define W_DISALLOW 32
#define W_DQ_IF_QUEUED 33
#define W_PREFAULT 34
#define W_DQ_RETRY 35
#define W_RETURN 36
#define W_DFAULTIN 37
#define W_DFAULTED 38
//@fl write-iter.W_ILOCK
  :: atomic { s_st == W_ILOCK -> down(I_RWSEM(ino), 1); s_st = W_ILOCK_WAIT }   /* inode_lock */
//@fl write-iter.W_ILOCK_WAIT
  :: atomic { s_st == W_ILOCK_WAIT && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; {{#late}}s_st = (direct -> W_NQ : W_PREFAULT){{/late}}{{^late}}s_st = W_NQ{{/late}} }
//@fl write-iter.W_NQ write-iter.W_NQ_WAIT
//@use sys_glock(W_NQ, W_NQ_WAIT, W_WRITE, (direct -> DF : EX), rfc)
//@fl write-iter.W_WRITE
  :: s_st == W_WRITE -> {{#nofault}}pfd++; {{/nofault}}c_ino = ino; c_pos = pos + done; c_len = plen - done; c_buf = buf + done; c_write = 1; c_kind = (direct -> CALL_DIO : CALL_BUFFERED); s_ret_to = W_WRITE_RET; c_st = 1; c_done = 0; s_st = CALL
//@fl write-iter.W_WRITE_RET
  :: s_st == W_WRITE_RET ->
       {{#nofault}}pfd--; {{/nofault}}if :: c_ret > 0 -> done = done + c_ret :: else fi; ret = c_ret; c_write = 0;
//@if v516
       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = W_ALLOW :: else -> s_st = W_DQ fi
//@elif late
       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = W_DQ_RETRY :: else -> s_st = W_DQ fi
//@else
       s_st = W_DQ
//@end
//@fl write-iter.W_DQ
  :: atomic { s_st == W_DQ -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq();{{#rfc}} outer_glock = 0; s_st = W_CHECK_RETRY{{/rfc}}{{^rfc}} s_st = W_AFTER_DQ{{/rfc}} }
//@fl write-iter.W_AFTER_DQ
  :: s_st == W_AFTER_DQ -> if :: direct && plen > done && ret >= 0 -> direct = 0; s_st = {{#late}}W_PREFAULT{{/late}}{{^late}}W_NQ{{/late}} :: else -> s_st = W_RETURN fi   /* O_DIRECT stopped at a hole: buffered for the rest */
//@if rfc
//@fl write-iter.rfc.W_CHECK_RETRY
  :: s_st == W_CHECK_RETRY ->
       if
       :: !needs_retry -> s_st = W_AFTER_DQ
       :: needs_retry && ret != -EFAULT -> needs_retry = 0; s_st = W_AFTER_DQ
       :: needs_retry && ret == -EFAULT -> needs_retry = 0; c_buf = buf + done; c_len = 1; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL
       fi
//@fl write-iter.rfc.W_FAULTED_IN
  :: s_st == W_FAULTED_IN -> if :: c_ret > 0 -> s_st = W_NQ :: else -> ret = -EFAULT; s_st = W_RETURN fi
//@end
//@if v516
//@fl write-iter.W_ALLOW
  :: atomic { s_st == W_ALLOW ->   /* gfs2_holder_allow_demote; fault_in_iov_iter_readable(1 page) */
       set_may_demote(SYS_HOLDER, 1, ino); c_buf = buf + done; c_len = 1; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_DISALLOW; c_st = 1; c_done = 0; s_st = CALL }
//@fl write-iter.W_DISALLOW
  :: atomic { s_st == W_DISALLOW ->   /* gfs2_holder_disallow_demote */
       set_may_demote(SYS_HOLDER, 0, ino);
       if
       :: c_ret <= 0 -> ret = -EFAULT; s_st = W_DQ_IF_QUEUED
       :: c_ret > 0 && h_queued[SYS_HOLDER] -> s_st = W_WRITE
       :: c_ret > 0 && !h_queued[SYS_HOLDER] && !direct && done > 0 -> s_st = W_RETURN   /* short write */
       :: else -> s_st = W_NQ
       fi }
//@fl write-iter.W_DQ_IF_QUEUED
  :: atomic { s_st == W_DQ_IF_QUEUED -> if :: h_queued[SYS_HOLDER] -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq() :: else fi; s_st = W_RETURN }
//@end
//@if late
//@fl write-iter.late.W_PREFAULT
  :: s_st == W_PREFAULT ->   /* fault_in_iov_iter_readable(rest), no glock held */
       c_buf = buf + done; c_len = plen - done; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL
//@fl write-iter.late.W_FAULTED_IN
  :: s_st == W_FAULTED_IN -> if :: c_ret > 0 -> s_st = W_NQ :: else -> ret = -EFAULT; s_st = W_RETURN fi
//@fl write-iter.late.W_DQ_RETRY
  :: atomic { s_st == W_DQ_RETRY -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq();{{#v64}} s_st = (direct -> W_DFAULTIN : W_PREFAULT){{/v64}}{{^v64}} s_st = W_PREFAULT{{/v64}} }
//@end
//@if v64
//@fl write-iter.W_DFAULTIN
  :: s_st == W_DFAULTIN ->   /* fa58cc888d67: enough_retries = no progress and window_size <= PAGE_SIZE; fault in one page after no progress */
       w_enough = (w_last == done + 1 && w_win <= 1); c_len = (w_last == done + 1 -> 1 : plen - done); w_last = done + 1;
       c_buf = buf + done; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_DFAULTED; c_st = 1; c_done = 0; s_st = CALL
//@fl write-iter.W_DFAULTED
  :: s_st == W_DFAULTED ->   /* window_size 0 → -EFAULT; else retry, or fall back to buffered I/O (ret = 0) when enough_retries */
       if
       :: c_ret <= 0 -> ret = -EFAULT; s_st = W_RETURN
       :: c_ret > 0 && w_enough -> w_win = c_ret; ret = 0; s_st = W_AFTER_DQ
       :: c_ret > 0 && !w_enough -> w_win = c_ret; s_st = W_NQ
       fi
//@end
//@fl write-iter.W_RETURN
  :: atomic { s_st == W_RETURN -> up(I_RWSEM(ino));{{#v64}} w_last = 0; w_win = 0; w_enough = 0;{{/v64}} s_st = S_END }   /* inode_unlock */
