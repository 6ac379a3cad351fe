//@# Macros the syscall machines share (promela-template.ts: //@macro, //@use).
//@#
//@# A syscall-level gfs2_glock_nq on the syscall's holder in `mode`, and its wait:
//@# states `at`, `wait`, then `next`. `outer` (a flag, or true / false): the
//@# RFC's LM_FLAG_OUTER.
//@macro sys_glock(at, wait, next, mode, outer)
  :: atomic { s_st == {{at}} ->   /* gfs2_glock_nq */
//@if {{outer}}
       nq_h = SYS_HOLDER; nq_ino = ino; nq_mode = {{mode}}; nq_try = 0; glock_nq(); outer_glock = 1;   /* LM_FLAG_OUTER */
//@else
       nq_h = SYS_HOLDER; nq_ino = ino; nq_mode = {{mode}}; nq_try = 0; glock_nq();
//@end
       if :: nq_res == NQ_GRANTED -> s_st = {{next}} :: else -> s_st = {{wait}} fi }
  :: atomic { s_st == {{wait}} && (h_granted[SYS_HOLDER] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = {{next}} }   /* gfs2_glock_wait */
//@endmacro
