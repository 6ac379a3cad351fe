//@# Constants, encodings and the wait primitive: the start of every model (model.pml includes it).
/* ---- encodings ---------------------------------------------------- */
/* glock states and holder modes (fs/gfs2/glock.h LM_ST_*; numbered here UN < SH < DF < EX) */
#define UN 0
#define SH 1
#define DF 2
#define EX 3
#define NO_DEMOTE 4   /* gl_demote: no GLF_DEMOTE pending */
#define ANY_MODE 4    /* drop every weak (may-demote) holder, whatever the mode */
#define NO_HOLDER 255 /* find_first_strong_holder found none */
#define VS_CURRENT 5  /* demote the weak holders may_grant does not let share with sd_cur */
/* VM_FAULT_* (include/linux/mm_types.h); 0 is a fault that mapped the page */
#define VM_FAULT_SIGBUS 2
#define VM_FAULT_NOPAGE 256
#define VM_FAULT_LOCKED 512
#define VM_FAULT_RETRY 1024
/* errno values: syscalls return -EFAULT / -EAGAIN, or a count of pages (bytes / 4096) */
#define EFAULT 14
#define EAGAIN 11
/* a user PTE: none, an anonymous (COW) page, or a page-cache page, read-only or writable */
#define PTE_NONE 0
#define PTE_ANON 1
#define PTE_PAGE(p, w) (2 + 2 * (p) + (w))
#define PTE_IS_PAGE(x) ((x) >= 2)
#define PTE_SLOT(x) (((x) - 2) / 2)
#define PTE_W(x) (((x) - 2) % 2)
/* can the CPU complete this access without faulting (src/kernel/uaccess.ts: userAccessOk) */
#define ACCESS_OK(e, w) (pte[e] != PTE_NONE && (!(w) || pte[e] == PTE_ANON || PTE_W(pte[e])))
/* copyStates results (src/threads/copy.ts) */
#define COPY_DONE 1
#define COPY_SHORT 2
#define COPY_FAULT 3
#define COPY_RETRY 4    /* the fault was handled: try the copy again */
#define COPY_FAILED 5   /* the fault failed: the copy is short */
/* faults on one page by one copy before the simulator calls it a livelock (FAULT_RETRY_BOUND) */
#define FAULT_RETRY_BOUND 8
/* glock holders: two per task, the syscall's and the fault handler's */
#define SYS_HOLDER (2 * t)
#define FAULT_HOLDER (2 * t + 1)
#define NQ_GRANTED 1
#define NQ_QUEUED 2
#define NQ_TRYFAILED 3

/*
 * A task sleeps until `c`. A BUG or a livelock ends the whole run in the
 * simulator (state.stopped): then every sleeper leaves for its end state,
 * so that a run that ended that way is not reported as a deadlock.
 */
#define WAIT_UNTIL(c) if :: (c) -> skip :: stopped -> goto stop fi
#define LIVELOCK stopped = 1; goto stop

bit stopped;  /* a BUG or a livelock ended the run */

/*
 * Lock releases and glock operations run in one process, lock_manager,
 * called by an atomic rendezvous (the caller stays inside its atomic step,
 * so the call is part of that step): the code that hands locks over and
 * runs glock queues then exists once in the model instead of once per call
 * site. Arguments and results travel in hidden globals, not in the state.
 */
#define GM_NQ 1
#define GM_DQ 2
#define GM_MAYDEMOTE 3
#define GM_UP 4
chan gm_req = [0] of { bit };
chan gm_rep = [0] of { bit };
hidden byte gm_op, gm_t, gm_node, gm_v, gm_l;
