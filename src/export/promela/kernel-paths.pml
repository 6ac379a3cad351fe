//@# The kernel paths: every path the scenario's calls reach under the variant, and run_syscall, one do loop
//@# over the states of every syscall machine, with one place (state CALL, call-site.pml) that runs a callee,
//@# so that each callee, and the fault path inside it, exists once in the model. promela-lib.ts: kernelPaths
//@# fills in the callees (joined by blank lines) and the syscall machines' definitions and options.
/* ---- kernel paths (src/threads) -------------------------------------- */
#define CALL 100
#define S_END 101
#define CALL_READ 1
#define CALL_DIO 2
#define CALL_BUFFERED 3
#define CALL_FAULTIN 4
#define CALL_TOUCH 5

//@include filemap-fault

//@include gfs2-fault

//@include do-page-fault

//@include user-copy

{{callees}}

{{syscall_defs}}

/* the syscall machines: s_st is the state of the running one */
inline run_syscall() {
  do
{{syscall_options}}
//@if callee_any
//@include call-site
//@end
//@fl kernel-paths.S_END
  :: s_st == S_END -> break
  od;
  s_st = 0; s_ret_to = 0; c_ret = 0; c_write = 0; c_noio = 0
}
