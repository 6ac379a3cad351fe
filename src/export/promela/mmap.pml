//@# mmap (src/threads/task.ts: doMmap): options of run_syscall's do loop over s_st.
/* mmap: mmap_write_lock, ->mmap = gfs2_mmap takes the glock SH for atime and drops it, vma_link, mmap_write_unlock */
#define M_LOCK 61
//@fl mmap.61
  :: atomic { s_st == 61 -> down(MMAP_LOCK(mm), 1); s_st = 62 }
//@fl mmap.62
  :: atomic { s_st == 62 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 63 }
//@fl mmap.63 mmap.64
//@use sys_glock(63, 64, 65, SH, false)
//@fl mmap.65
  :: atomic { s_st == 65 -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq(); s_st = 66 }
//@fl mmap.66
  :: atomic { s_st == 66 -> vma_on[arg] = 1; up(MMAP_LOCK(mm)); s_st = S_END }   /* vma_link; mmap_write_unlock */
