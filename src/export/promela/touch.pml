//@# A user load or store (src/threads/fault.ts: userAccess): an option of run_syscall's do loop over s_st, which calls the callee user_access (user-access.pml).
/* a user access: run as the callee user_access */
#define U_ACCESS 71
  :: s_st == 71 -> c_kind = CALL_TOUCH; s_ret_to = S_END; c_st = 1; c_done = 0; s_st = CALL
