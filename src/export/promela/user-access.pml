//@# A user load or store: a callee, run from state CALL of the touch syscall (touch.pml).
/* a user load or store (uw): it faults in user mode, and VM_FAULT_SIGBUS kills the task (do_sigbus → force_sig_fault) */
//@fl user-access.access
inline user_access() {
  slot_of(buf); user_copy(uw);
  if
  :: cp_res == COPY_DONE -> c_st = 0
  :: cp_res == COPY_FAULT -> skip
//@fl user-access.killed
  :: cp_res == COPY_SHORT -> killed = 1; c_st = 0
  fi
}
