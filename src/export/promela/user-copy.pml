//@# copyStates (src/threads/copy.ts): a kernel copy of one user page, which may fault → cp_res.
/*
 * A kernel copy to (W) or from one user page through PTE slot cp_e
 * (copy_page_to_iter, get_user_pages, iov_iter_zero, the fault-in
 * helpers, a user access): it completes through a present PTE (COPY_DONE),
 * comes back short because page faults are disabled (COPY_SHORT), or
 * faults (COPY_FAULT): the callee then returns to run_syscall, which runs
 * do_page_fault (so that the fault path exists once in the model) and
 * calls the callee again, which tries the copy again; a failed fault
 * (COPY_FAILED) makes the copy short (exception fixup / vm_fault_to_errno).
 */
inline user_copy(W) {
  if
//@fl user-copy.after_fault
  :: cp_res == COPY_FAILED -> cp_res = COPY_SHORT; cp_retries = 0
  :: else ->
       atomic {
         if
         :: ACCESS_OK(cp_e, W) -> cp_res = COPY_DONE; cp_retries = 0
         :: else ->
              if
              :: pfd > 0 -> cp_res = COPY_SHORT; cp_retries = 0
              :: else -> if :: cp_retries >= FAULT_RETRY_BOUND -> LIVELOCK :: else fi; cp_retries++; cp_w = W; cp_res = COPY_FAULT
              fi
         fi }
  fi
}
