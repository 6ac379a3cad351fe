//@# The harness: the whole model for one scenario under one variant. promela.ts fills in what it
//@# generates from the scenario ({{...}}: the header's lists, the sizes, the tables of find_vma,
//@# slot_of, unmap_mapping_range and load_syscall, the initial state, one task instance per task)
//@# and the kernel paths the scenario reaches (kernel-paths.pml, through promela-lib.ts).
/*
 * Faultline scenario "{{scenario_id}}" under {{variant}} ({{variant_title}}), exported for Spin.
 * {{scenario_title}}
 *
 * Cluster nodes: {{nn}}. Files (one page = one block):
{{file_lines}}
 * Mappings at the start:
{{mapping_lines}}
 * Tasks:
{{task_lines}}
 *
 * Modelled, as the Faultline simulator does (src/kernel, src/threads), at lock
 * granularity: gfs2 glocks per (node, inode) with FIFO holder queues, SH/DF/EX
 * and may_grant, cross-node compatibility and demote requests, LM_FLAG_TRY,
 * may-demote holders (5.16) and the recursion trap (BUG); mmap_lock per
 * process, i_rwsem per inode and page locks as FIFO sleeping locks; i_size,
 * block maps, the page cache and page tables, which decide whether a user
 * access faults; every kernel path the scenario reaches under this variant.
 * Abstracted:
{{abstraction_lines}}
 *
 * Verdicts: a deadlock (no task can run, some wait) is an "invalid end state";
 * a BUG (gfs2 trap_recursive) is "assertion violated !(trap_recursive)"; a run
 * that completes or ends in SIGBUS leaves no error. A BUG or a livelock stops
 * every task, as in the simulator. Check both:
 *   spin -a model.pml && cc -O2 -DSAFETY -o pan pan.c
 *   ./pan -m1000000 -A   (deadlocks only)     ./pan -m1000000 -E   (BUGs only)
 */

#define NT {{nt}}   /* tasks */
#define NI {{ni}}   /* inodes: {{inode_names}} */
#define NN {{nn}}   /* cluster nodes */
#define NM {{nm}}   /* processes (address spaces) */
#define NX {{nx}}   /* file pages per inode, at most */
#define NP {{np}}   /* page frames a run can create, at most */
#define NV {{nv}}   /* VMAs */
#define NE {{ne}}   /* PTE slots: the user pages some task accesses */
#define SYS_EXIT 0
#define SYS_PREAD 1
#define SYS_PWRITE 2
#define SYS_TRUNCATE 3
#define SYS_PUNCH 4
#define SYS_MMAP 5
#define SYS_TOUCH 6

//@include preamble

//@include sleep-locks

//@include glocks

/* ---- files, page cache, page tables ------------------------------------ */
byte i_size[NI];          /* in pages */
bit blk[NI * NX];         /* block map: file page has a block */
byte nfree;               /* free blocks on the device */
byte cache[NI * NX];      /* page cache: frame + 1, or 0 */
byte pg_map[NP];          /* page->mapping: inode + 1, or 0 (NULL: truncated) */
byte pg_of[NP];           /* the file page a frame was allocated for: inode * NX + index + 1, kept once it is deleted */
byte npages;              /* page frames used so far */
bit vma_on[NV];           /* the VMA exists (initial mappings; mmap calls add theirs) */
byte pte[NE];             /* user PTEs of the accessed user pages */

/*
 * add_to_page_cache_lru: a frame for (i, x) → np_f, locked by this task when
 * `locked`. A frame freed from the same file page is reused (deleted, unlocked,
 * nobody queued, no PTE to it), as the simulator reuses freed frames
 * (kernel/pagecache.ts): a loop that invalidates and re-reads a page then
 * comes back to the same state instead of using up the frames.
 */
hidden byte np_f, np_i, np_j;
inline new_page(i, x, locked) {
  np_f = 255; np_i = 0;
  do
  :: np_i < npages ->
       if
       :: np_f == 255 && pg_of[np_i] == (i) * NX + (x) + 1 && pg_map[np_i] == 0 && UNLOCKED(PAGE_LOCK(np_i)) && lk_wqlen[PAGE_LOCK(np_i)] == 0 ->
            np_f = np_i; np_j = 0;
            do :: np_j < NE -> if :: PTE_IS_PAGE(pte[np_j]) && PTE_SLOT(pte[np_j]) == np_i -> np_f = 255 :: else fi; np_j++ :: else -> break od
       :: else
       fi;
       np_i++
  :: else -> break
  od;
  if :: np_f == 255 -> assert(npages < NP); np_f = npages; npages++ :: else fi;   /* the frame bound promela.ts computed */
  pg_map[np_f] = (i) + 1; pg_of[np_f] = (i) * NX + (x) + 1; cache[(i) * NX + (x)] = np_f + 1;
  if :: locked -> lk_writer[PAGE_LOCK(np_f)] = t + 1 :: else fi
}

/* find_vma: the VMA behind a PTE slot (the mapping, if it exists yet), the file page it maps */
inline find_vma() {
  if
{{find_vma_rows}}
  fi
}

/* the PTE slot of a user page of this task's process */
inline slot_of(vp) {
  if
{{slot_of_rows}}
  fi
}

/* unmap_mapping_range(mapping, from, to, even_cows) (mm/memory.c): zap the PTEs of file pages [from, to); private COW copies only with even_cows */
hidden byte um_ino, um_from, um_to, um_cows, ue_i;
inline unmap_mapping_range() {
{{unmap_rows}}
  skip
}

/* zap every PTE that maps page frame p */
inline unmap_page(p) {
  ue_i = 0;
  do :: ue_i < NE -> if :: PTE_IS_PAGE(pte[ue_i]) && PTE_SLOT(pte[ue_i]) == (p) -> pte[ue_i] = PTE_NONE :: else fi; ue_i++ :: else -> break od
}

/* each task's program: entry pc of task t */
inline load_syscall() {
  if
{{load_syscall_rows}}
  :: else -> call = SYS_EXIT
  fi
}

{{kernel_paths}}

/* ---- tasks ----------------------------------------------------------- */
/* One instance per scenario task (see init): run the program in order until it ends or SIGBUS kills the task. */
proctype task(byte t; byte mm; byte node) {
//@include task-locals
//@fl model.next_syscall
next_syscall:
  atomic {
    if :: killed -> goto end_exited :: else fi;   /* a task killed by SIGBUS runs no further entries */
    load_syscall();
    if
    :: call == SYS_EXIT -> goto end_exited
//@if call_pread
    :: call == SYS_PREAD -> s_st = R_NOIO   /* gfs2_file_read_iter */
//@end
//@if call_pwrite
    :: call == SYS_PWRITE -> s_st = W_ILOCK   /* gfs2_file_write_iter */
//@end
//@if call_truncate || call_punch
    :: call == SYS_TRUNCATE || call == SYS_PUNCH -> s_st = T_ILOCK   /* do_truncate / vfs_fallocate(FALLOC_FL_PUNCH_HOLE) */
//@end
//@if call_mmap
    :: call == SYS_MMAP -> s_st = M_LOCK   /* do_mmap */
//@end
//@if call_touch
    :: call == SYS_TOUCH -> s_st = U_ACCESS   /* a user load or store */
//@end
    fi
  };
  run_syscall();
//@fl model.returned
  d_step { pc++; call = 0; ino = 0; pos = 0; plen = 0; buf = 0; arg = 0; direct = 0; uw = 0; done = 0; ret = 0 };
  goto next_syscall;
stop:   /* a BUG or a livelock ended the run: the simulator stops every task */
  skip;
//@fl model.exited
end_exited:
  skip
}

init {
  atomic {
{{init_rows}}
    run lock_manager();
{{run_rows}}
  }
}
