/**
 * The fixed part of the Promela model that `promela.ts` writes: the lock
 * primitives and the kernel paths of the gfs2 variants, at lock granularity,
 * as Promela inlines. Scenario data (files, mappings, programs) is not here:
 * `promela.ts` generates it and the inlines read it through the names it
 * defines (`NT`, `NI`, `NX`, `slot_of`, `find_vma`, ...).
 *
 * Owns: the translation of `src/kernel/sleeplock.ts`, `src/kernel/glock.ts`
 * and the thread machines of `src/threads` (gfs2.ts, gfs2-write.ts,
 * iomap.ts, copy.ts, fault.ts, filemap.ts, truncate.ts, task.ts) into
 * Promela. Each machine becomes a `do` loop over a state variable whose
 * values are the machine's state names; each atomic step of the simulator is
 * one `atomic` block (steps that read and write only the task's own
 * registers are folded into the next step, as the explorer's local
 * reduction does). Only the code of the chosen variant is emitted, so a
 * model for gfs2-5.18 reads as gfs2-5.18.
 *
 * Must not know about any one scenario, and must stay plain strings: no
 * imports beyond the variant flags.
 */
import type { Gfs2Fix } from '../kernel/variants.ts';

/** What the library needs to know about the run to emit only the relevant code. */
export interface LibraryOptions {
  readonly fix: Gfs2Fix;
  /** The calls some task makes: code for the others is left out. */
  readonly calls: ReadonlySet<'pread' | 'pwrite' | 'truncate' | 'punch' | 'mmap' | 'touch'>;
}

/** Join Promela lines, dropping the ones a variant leaves out (null). */
function lines(...parts: readonly (string | null)[]): string {
  return parts.filter((p): p is string => p !== null).join('\n');
}

function when(cond: boolean, text: string): string | null {
  return cond ? text : null;
}

/** Constants, encodings and the wait primitive. */
export function preamble(): string {
  return lines(
    '/* ---- encodings ---------------------------------------------------- */',
    '/* glock states and holder modes (fs/gfs2/glock.h LM_ST_*; numbered here UN < SH < DF < EX) */',
    '#define UN 0',
    '#define SH 1',
    '#define DF 2',
    '#define EX 3',
    '#define NO_DEMOTE 4   /* gl_demote: no GLF_DEMOTE pending */',
    '#define ANY_MODE 4    /* drop every weak (may-demote) holder, whatever the mode */',
    '#define NO_HOLDER 255 /* find_first_strong_holder found none */',
    '#define VS_CURRENT 5  /* demote the weak holders may_grant does not let share with sd_cur */',
    '/* VM_FAULT_* (include/linux/mm_types.h); 0 is a fault that mapped the page */',
    '#define VM_FAULT_SIGBUS 2',
    '#define VM_FAULT_NOPAGE 256',
    '#define VM_FAULT_LOCKED 512',
    '#define VM_FAULT_RETRY 1024',
    '/* errno values: syscalls return -EFAULT / -EAGAIN, or a count of pages (bytes / 4096) */',
    '#define EFAULT 14',
    '#define EAGAIN 11',
    '/* a user PTE: none, an anonymous (COW) page, or a page-cache page, read-only or writable */',
    '#define PTE_NONE 0',
    '#define PTE_ANON 1',
    '#define PTE_PAGE(p, w) (2 + 2 * (p) + (w))',
    '#define PTE_IS_PAGE(x) ((x) >= 2)',
    '#define PTE_SLOT(x) (((x) - 2) / 2)',
    '#define PTE_W(x) (((x) - 2) % 2)',
    '/* can the CPU complete this access without faulting (src/kernel/uaccess.ts: userAccessOk) */',
    '#define ACCESS_OK(e, w) (pte[e] != PTE_NONE && (!(w) || pte[e] == PTE_ANON || PTE_W(pte[e])))',
    '/* copyStates results (src/threads/copy.ts) */',
    '#define COPY_DONE 1',
    '#define COPY_SHORT 2',
    '#define COPY_FAULT 3',
    '#define COPY_RETRY 4    /* the fault was handled: try the copy again */',
    '#define COPY_FAILED 5   /* the fault failed: the copy is short */',
    '/* faults on one page by one copy before the simulator calls it a livelock (FAULT_RETRY_BOUND) */',
    '#define FAULT_RETRY_BOUND 8',
    '/* glock holders: two per task, the syscall\'s and the fault handler\'s */',
    '#define SYS_HOLDER (2 * t)',
    '#define FAULT_HOLDER (2 * t + 1)',
    '#define NQ_GRANTED 1',
    '#define NQ_QUEUED 2',
    '#define NQ_TRYFAILED 3',
    '',
    '/*',
    ' * A task sleeps until `c`. A BUG or a livelock ends the whole run in the',
    ' * simulator (state.stopped): then every sleeper leaves for its end state,',
    ' * so that a run that ended that way is not reported as a deadlock.',
    ' */',
    '#define WAIT_UNTIL(c) if :: (c) -> skip :: stopped -> goto stop fi',
    '#define LIVELOCK stopped = 1; goto stop',
    '',
    'bit stopped;  /* a BUG or a livelock ended the run */',
    '',
    '/*',
    ' * Lock releases and glock operations run in one process, lock_manager,',
    ' * called by an atomic rendezvous (the caller stays inside its atomic step,',
    ' * so the call is part of that step): the code that hands locks over and',
    ' * runs glock queues then exists once in the model instead of once per call',
    ' * site. Arguments and results travel in hidden globals, not in the state.',
    ' */',
    '#define GM_NQ 1',
    '#define GM_DQ 2',
    '#define GM_MAYDEMOTE 3',
    '#define GM_UP 4',
    'chan gm_req = [0] of { bit };',
    'chan gm_rep = [0] of { bit };',
    'hidden byte gm_op, gm_t, gm_node, gm_v, gm_l;',
  );
}

/** Sleeping locks: mmap_lock, i_rwsem and page locks, as src/kernel/sleeplock.ts. */
export function sleepLocks(): string {
  return lines(
    '/* ---- sleeping locks (src/kernel/sleeplock.ts) -------------------------',
    ' * mmap_lock (an rwsem per process), i_rwsem (per inode) and page locks',
    ' * (PG_locked, per page frame): an owner, a reader count and a strictly FIFO',
    ' * queue of sleepers. A reader that arrives while a writer waits queues',
    ' * behind it (kernel/locking/rwsem.c: rwsem_down_read_slowpath); release',
    ' * hands the lock to the head of the queue (one writer, or every reader up',
    ' * to the first writer). No optimistic spinning, no lock stealing.',
    ' */',
    '#define MMAP_LOCK(m) (m)',
    '#define I_RWSEM(i) (NM + (i))',
    '#define PAGE_LOCK(p) (NM + NI + (p))',
    '#define NL (NM + NI + NP)',
    'byte lk_writer[NL];    /* exclusive owner: task + 1, or 0 */',
    'byte lk_readers[NL];   /* shared owners */',
    'byte lk_wq[NL * NT];   /* sleepers, FIFO: (task << 1 | write) + 1 */',
    'byte lk_wqlen[NL];',
    'bit waiting[NT];       /* queued on a sleeping lock; the releaser clears it when it hands the lock over */',
    'hidden byte lk_i, lk_w;',
    '',
    '#define CAN_GRANT(l, wr) (lk_writer[l] == 0 && lk_wqlen[l] == 0 && (!(wr) || lk_readers[l] == 0))',
    '#define UNLOCKED(l) (lk_writer[l] == 0 && lk_readers[l] == 0)',
    '',
    '/* down_read / down_write / lock_page: take it, or join the queue (then WAIT_UNTIL(!waiting[t])) */',
    'inline down(l, wr) {',
    '  if',
    '  :: CAN_GRANT(l, wr) -> if :: wr -> lk_writer[l] = t + 1 :: else -> lk_readers[l]++ fi',
    '  :: else -> lk_wq[(l) * NT + lk_wqlen[l]] = ((t << 1) | (wr)) + 1; lk_wqlen[l]++; waiting[t] = 1',
    '  fi',
    '}',
    '',
    '/* up_read / up_write / unlock_page (run by lock_manager, below, so that the hand-off code exists once) */',
    'inline up(l) {',
    '  gm_op = GM_UP; gm_t = t; gm_l = l; gm_req!0; gm_rep?_',
    '}',
    '',
    '/* the release itself, and the hand-off to the head of the queue */',
    'inline lock_release() {',
    '  if :: lk_writer[gm_l] == gm_t + 1 -> lk_writer[gm_l] = 0 :: else -> lk_readers[gm_l]-- fi;',
    '  do',
    '  :: lk_wqlen[gm_l] > 0 && lk_writer[gm_l] == 0 && !(((lk_wq[gm_l * NT] - 1) & 1) && lk_readers[gm_l] > 0) ->',
    '       lk_w = lk_wq[gm_l * NT] - 1;',
    '       if :: (lk_w & 1) -> lk_writer[gm_l] = (lk_w >> 1) + 1 :: else -> lk_readers[gm_l]++ fi;',
    '       waiting[lk_w >> 1] = 0;',
    '       lk_i = 0;',
    '       do :: lk_i + 1 < lk_wqlen[gm_l] -> lk_wq[gm_l * NT + lk_i] = lk_wq[gm_l * NT + lk_i + 1]; lk_i++ :: else -> break od;',
    '       lk_wqlen[gm_l]--; lk_wq[gm_l * NT + lk_wqlen[gm_l]] = 0;',
    '       if :: (lk_w & 1) -> break :: else fi',
    '  :: else -> break',
    '  od',
    '}',
  );
}

/** gfs2 glocks: holders, may_grant, run_queue across nodes, trylocks, recursion trap (src/kernel/glock.ts). */
export function glocks(fix: Gfs2Fix): string {
  return lines(
    '/* ---- gfs2 glocks (src/kernel/glock.ts; fs/gfs2/glock.c) ---------------',
    ' * One glock per (node, inode): the node\'s state, a pending demote asked for',
    ' * by another node, and the FIFO queue of holders (granted first). Holder',
    ' * h = 2 * task + role: role 0 is the syscall\'s holder (gfs2_file_read_iter,',
    ' * gfs2_file_direct_read, gfs2_file_buffered_write / gfs2_iomap_begin,',
    ' * gfs2_file_direct_write, gfs2_setattr_size, gfs2_punch_hole, gfs2_mmap),',
    ' * role 1 the fault handler\'s (gfs2_fault, gfs2_page_mkwrite): a task never',
    ' * has two holders of one role at once.',
    ' */',
    '#define NG (NN * NI)',
    '#define NH (2 * NT)',
    '#define QMAX NH',
    '#define QAT(g, i) gl_q[(g) * QMAX + (i)]',
    'byte gl_state[NG];                 /* UN, SH, DF or EX */',
    'byte gl_demote[NG] = NO_DEMOTE;    /* gl_demote_state when GLF_DEMOTE is set */',
    'byte gl_q[NG * QMAX];              /* holder ids, in queue order */',
    'byte gl_qlen[NG];',
    'byte h_mode[NH];',
    'bit h_granted[NH];                 /* HIF_HOLDER */',
    'bit h_maydemote[NH];               /* HIF_MAY_DEMOTE (5.16) */',
    'bit h_queued[NH];                  /* on a glock\'s queue (gfs2_holder_queued) */',
    `#define SKIP_MAYDEMOTE ${fix === '5.16' ? 1 : 0}  /* 5.16: the recursion check skips may-demote holders */`,
    '',
    '/* DLM compatibility between two nodes\' states: SH with SH, DF with DF, EX with nothing */',
    '#define COMPAT(a, b) ((a) == UN || (b) == UN || ((a) == (b) && (a) != EX))',
    '#define LOCAL_SHARE(a, b) ((a) == (b) && (a) != EX)',
    '/* the state another node must demote to so that m can be granted here (gdlm_bast) */',
    '#define DEMOTE_TARGET(m) ((m) == EX -> UN : (m))',
    '/* may_grant (v5.16): against a current (strong, granted) holder cur, or the glock state when cur is NO_HOLDER */',
    '#define CUR_MODE(cur) h_mode[((cur) == NO_HOLDER -> 0 : (cur))]',
    '#define MAY_GRANT(g, cur, m) ((cur) != NO_HOLDER -> (CUR_MODE(cur) != EX && (m) == CUR_MODE(cur)) : (gl_state[g] == (m) || (gl_state[g] == EX && (m) != EX)))',
    '',
    'hidden byte rs_round, rs_nd, rs_ino;',
    'hidden byte rq_g, rq_i, rq_o, rq_og, rq_h, rq_n;',
    'hidden byte rq_lvl, rq_dem, rq_cur, rq_demoted, rq_changed, rs_any;',
    'hidden byte sd_i, sd_j, sd_h, sd_n, sd_len, sd_g, sd_cur, sd_mock, sk_i, sk_n;',
    'hidden byte nq_g, nq_i, nq_h, nq_ino, nq_mode, nq_try, nq_res, trap_recursive;',
    'hidden byte dq_g, dq_i, dq_h, dq_ino;',
    when(fix === 'rfc', 'hidden byte ta_i;\nhidden byte ta_state[NG];\nhidden byte ta_demote[NG];\nhidden byte ta_q[NG * QMAX];\nhidden byte ta_qlen[NG];\nhidden byte ta_mode[NH];\nhidden byte ta_gr[NH];\nhidden byte ta_md[NH];\nhidden byte ta_qd[NH];'),
    '',
    '/* how many holders of glock rq_g are granted → sk_n */',
    'inline gl_count_granted() {',
    '  sk_i = 0; sk_n = 0;',
    '  do :: sk_i < gl_qlen[rq_g] -> if :: h_granted[QAT(rq_g, sk_i)] -> sk_n++ :: else fi; sk_i++ :: else -> break od',
    '}',
    '',
    '/* find_first_strong_holder (v5.16) of glock g: the first granted holder not marked may-demote → sd_cur (NO_HOLDER) */',
    'inline gl_first_strong(g) {',
    '  sd_cur = NO_HOLDER; sd_i = 0;',
    '  do',
    '  :: sd_i < gl_qlen[g] && h_granted[QAT(g, sd_i)] -> if :: !h_maydemote[QAT(g, sd_i)] -> sd_cur = QAT(g, sd_i); break :: else -> sd_i++ fi',
    '  :: else -> break',
    '  od',
    '}',
    '',
    '/*',
    ' * demote_incompat_holders (v5.16) on glock sd_g: dequeue the granted weak',
    ' * holders that may_grant does not let share with holder sd_cur (the strong',
    ' * holder do_promote compared with, or NO_HOLDER), or with a mock holder in',
    ' * mode sd_mock (gfs2_glock_cb; ANY_MODE: __gfs2_glock_dq drops them all).',
    ' * Their tasks find them gone. → sd_n',
    ' */',
    'inline gl_drop_weak() {',
    '  sd_i = 0; sd_j = 0; sd_n = 0; sd_len = gl_qlen[sd_g];',
    '  do',
    '  :: sd_i < sd_len ->',
    '       sd_h = QAT(sd_g, sd_i);',
    '       if',
    '       :: h_granted[sd_h] && h_maydemote[sd_h] &&',
    '          (sd_mock == ANY_MODE || (sd_mock == VS_CURRENT && !MAY_GRANT(sd_g, sd_cur, h_mode[sd_h])) || (sd_mock < ANY_MODE && !LOCAL_SHARE(sd_mock, h_mode[sd_h]))) ->',
    '            h_queued[sd_h] = 0; h_granted[sd_h] = 0; h_maydemote[sd_h] = 0; sd_n++',
    '       :: else -> QAT(sd_g, sd_j) = sd_h; sd_j++',
    '       fi;',
    '       sd_i++',
    '  :: else -> break',
    '  od;',
    '  gl_qlen[sd_g] = sd_j;',
    '  do :: sd_j < sd_len -> QAT(sd_g, sd_j) = 0; sd_j++ :: else -> break od',
    '}',
    '',
    '/*',
    ' * run_queue (src/kernel/glock.ts: runQueue) on glock rq_g; rq_changed when',
    ' * anything changed. A pending demote waits for every granted holder, weak',
    ' * or strong; with none left, the state goes down and promotion waits for',
    ' * the next pass. Otherwise do_promote: waiters are granted in FIFO order',
    ' * while may_grant allows, against the first strong holder (none: the',
    ' * glock state); the first grant calls demote_incompat_holders with that',
    ' * strong holder, not the new one (v5.16). A waiter refused at the head',
    ' * changes the state (do_xmote) if no other node\'s state conflicts, else',
    ' * those nodes get a demote request (gfs2_glock_cb: with no strong holder',
    ' * there, their weak holders incompatible with the request go first); a',
    ' * waiter refused anywhere else waits.',
    ' */',
    'inline gl_run_queue() {',
    '  if',
    '  :: gl_demote[rq_g] != NO_DEMOTE ->',
    '       gl_count_granted();',
    '       if :: sk_n == 0 -> gl_state[rq_g] = gl_demote[rq_g]; gl_demote[rq_g] = NO_DEMOTE; rq_changed = 1 :: else fi',
    '  :: else ->',
    '       rq_lvl = 0; rq_dem = 0; rq_i = 0; rq_demoted = 0;',
    '       gl_first_strong(rq_g); rq_cur = sd_cur;',
    '       do',
    '       :: rq_i >= gl_qlen[rq_g] -> break',
    '       :: else ->',
    '            rq_h = QAT(rq_g, rq_i);',
    '            if',
    '            :: h_granted[rq_h] -> rq_i++',
    '            :: !h_granted[rq_h] && MAY_GRANT(rq_g, rq_cur, h_mode[rq_h]) ->',
    '                 if',
    '                 :: !rq_demoted ->',
    '                      sd_g = rq_g; sd_cur = rq_cur; sd_mock = VS_CURRENT; gl_drop_weak();',
    '                      rq_i = rq_i - sd_n; rq_demoted = 1; rq_cur = rq_h',
    '                 :: else',
    '                 fi;',
    '                 h_granted[rq_h] = 1; rq_lvl = 1; rq_i++',
    '            :: else ->',
    '                 if',
    '                 :: rq_i == 0 ->',
    '                      /* head of the queue, nothing granted: do_xmote, if the DLM allows */',
    '                      rq_n = 0; rq_o = 0;',
    '                      do',
    '                      :: rq_o < NN ->',
    '                           rq_og = rq_o * NI + rq_g % NI;',
    '                           if',
    '                           :: rq_o != rq_g / NI && !COMPAT(gl_state[rq_og], h_mode[rq_h]) ->',
    '                                rq_n++;',
    '                                if',
    '                                :: gl_demote[rq_og] == NO_DEMOTE ->',
    '                                     gl_demote[rq_og] = DEMOTE_TARGET(h_mode[rq_h]); rq_dem = 1;',
    '                                     gl_first_strong(rq_og);',
    '                                     if',
    '                                     :: sd_cur == NO_HOLDER -> sd_g = rq_og; sd_mock = (h_mode[rq_h] == EX -> EX : h_mode[rq_h]); gl_drop_weak()',
    '                                     :: else',
    '                                     fi',
    '                                :: else',
    '                                fi',
    '                           :: else',
    '                           fi;',
    '                           rq_o++',
    '                      :: else -> break',
    '                      od;',
    '                      if',
    '                      :: rq_n == 0 -> gl_state[rq_g] = h_mode[rq_h]; h_granted[rq_h] = 1; rq_lvl = 1; rq_cur = rq_h; rq_i++',
    '                      :: else -> break',
    '                      fi',
    '                 :: else -> break',
    '                 fi',
    '            fi',
    '       od;',
    '       if :: rq_lvl || rq_dem -> rq_changed = 1 :: else fi',
    '  fi',
    '}',
    '',
    '/* runGlockQueues: run_queue for inode rs_ino on every node, to a fixed point */',
    'inline gl_run_queues() {',
    '  rs_round = 0;',
    '  do',
    '  :: rs_round < 4 * NN + 4 ->',
    '       rs_any = 0; rs_nd = 0;',
    '       do',
    '       :: rs_nd < NN -> rq_g = rs_nd * NI + rs_ino; rq_changed = 0; gl_run_queue(); if :: rq_changed -> rs_any = 1 :: else fi; rs_nd++',
    '       :: else -> break',
    '       od;',
    '       if :: !rs_any -> break :: else -> rs_round++ fi',
    '  :: else -> break',
    '  od',
    '}',
    '',
    when(
      fix === 'rfc',
      lines(
        '/* LM_FLAG_TRY: a holder that cannot be granted at once leaves no trace (GLR_TRYFAILED) */',
        'inline gl_save_all() {',
        '  ta_i = 0; do :: ta_i < NG -> ta_state[ta_i] = gl_state[ta_i]; ta_demote[ta_i] = gl_demote[ta_i]; ta_qlen[ta_i] = gl_qlen[ta_i]; ta_i++ :: else -> break od;',
        '  ta_i = 0; do :: ta_i < NG * QMAX -> ta_q[ta_i] = gl_q[ta_i]; ta_i++ :: else -> break od;',
        '  ta_i = 0; do :: ta_i < NH -> ta_mode[ta_i] = h_mode[ta_i]; ta_gr[ta_i] = h_granted[ta_i]; ta_md[ta_i] = h_maydemote[ta_i]; ta_qd[ta_i] = h_queued[ta_i]; ta_i++ :: else -> break od',
        '}',
        'inline gl_restore_all() {',
        '  ta_i = 0; do :: ta_i < NG -> gl_state[ta_i] = ta_state[ta_i]; gl_demote[ta_i] = ta_demote[ta_i]; gl_qlen[ta_i] = ta_qlen[ta_i]; ta_i++ :: else -> break od;',
        '  ta_i = 0; do :: ta_i < NG * QMAX -> gl_q[ta_i] = ta_q[ta_i]; ta_i++ :: else -> break od;',
        '  ta_i = 0; do :: ta_i < NH -> h_mode[ta_i] = ta_mode[ta_i]; h_granted[ta_i] = ta_gr[ta_i]; h_maydemote[ta_i] = ta_md[ta_i]; h_queued[ta_i] = ta_qd[ta_i]; ta_i++ :: else -> break od',
        '}',
        '',
      ),
    ),
    '#define NQ_BUG 4',
    '',
    '/* gfs2_glock_nq for holder nq_h on (this node, nq_ino) in nq_mode (LM_FLAG_TRY when nq_try) → nq_res */',
    'inline glock_nq() {',
    '  gm_op = GM_NQ; gm_t = t; gm_node = node; gm_req!0; gm_rep?_;',
    '  if',
    '  :: nq_res == NQ_BUG ->',
    '       /* kernel BUG at fs/gfs2/glock.c: add_to_queue → trap_recursive: this task already has a holder on the glock */',
    '       trap_recursive = 1;',
    '       assert(!trap_recursive);',
    '       stopped = 1; goto stop',
    '  :: else',
    '  fi',
    '}',
    '',
    '/* gfs2_glock_dq of holder dq_h on (this node, dq_ino) */',
    'inline glock_dq() {',
    '  gm_op = GM_DQ; gm_t = t; gm_node = node; gm_req!0; gm_rep?_',
    '}',
    when(
      fix === '5.16',
      lines(
        '',
        '/* gfs2_holder_allow_demote / gfs2_holder_disallow_demote (5.16) on holder h of inode i */',
        'inline set_may_demote(h, v, i) {',
        '  gm_op = GM_MAYDEMOTE; gm_t = t; gm_node = node; dq_h = h; gm_v = v; dq_ino = i; gm_req!0; gm_rep?_',
        '}',
      ),
    ),
    '',
    '/*',
    ' * add_to_queue: the recursion check looks at every queued holder, granted or',
    ' * waiting, whatever its mode: a second holder for the same task is',
    ` * trap_recursive, which prints both holders and calls BUG()${fix === '5.16' ? ' (5.16: may-demote holders are skipped)' : ''}.`,
    ' * gfs2_glock_dq drops the holder. Then the queues of the inode run.',
    ' * GM_UP releases a sleeping lock and hands it over.',
    ' */',
    'proctype lock_manager() {',
    'end_idle:',
    '  do',
    '  :: atomic { gm_req?_ ->',
    '       if',
    '       :: gm_op == GM_NQ ->',
    '            nq_g = gm_node * NI + nq_ino; nq_res = 0; nq_i = 0;',
    '            do',
    '            :: nq_i < gl_qlen[nq_g] ->',
    '                 if :: QAT(nq_g, nq_i) / 2 == gm_t && !(SKIP_MAYDEMOTE && h_maydemote[QAT(nq_g, nq_i)]) -> nq_res = NQ_BUG :: else fi;',
    '                 nq_i++',
    '            :: else -> break',
    '            od;',
    '            if',
    '            :: nq_res != NQ_BUG ->',
    when(fix === 'rfc', '                 if :: nq_try -> gl_save_all() :: else fi;'),
    '                 QAT(nq_g, gl_qlen[nq_g]) = nq_h; gl_qlen[nq_g]++;',
    '                 h_mode[nq_h] = nq_mode; h_granted[nq_h] = 0; h_maydemote[nq_h] = 0; h_queued[nq_h] = 1;',
    '                 rs_ino = nq_ino',
    '            :: else',
    '            fi',
    '       :: gm_op == GM_DQ ->',
    '            dq_g = gm_node * NI + dq_ino; dq_i = 0;',
    '            do :: dq_i < gl_qlen[dq_g] && QAT(dq_g, dq_i) != dq_h -> dq_i++ :: else -> break od;',
    '            do :: dq_i + 1 < gl_qlen[dq_g] -> QAT(dq_g, dq_i) = QAT(dq_g, dq_i + 1); dq_i++ :: else -> break od;',
    '            gl_qlen[dq_g]--; QAT(dq_g, gl_qlen[dq_g]) = 0;',
    '            h_queued[dq_h] = 0; h_granted[dq_h] = 0; h_maydemote[dq_h] = 0;',
    '            /* __gfs2_glock_dq (v5.16): a demote pending and no strong holder left → the weak ones go too */',
    '            if',
    '            :: gl_demote[dq_g] != NO_DEMOTE -> gl_first_strong(dq_g); if :: sd_cur == NO_HOLDER -> sd_g = dq_g; sd_mock = ANY_MODE; gl_drop_weak() :: else fi',
    '            :: else',
    '            fi;',
    '            rs_ino = dq_ino',
    '       :: gm_op == GM_MAYDEMOTE -> h_maydemote[dq_h] = gm_v   /* only the bit: no queue runs (glock.h) */',
    '       :: gm_op == GM_UP -> lock_release()',
    '       fi;',
    '       if :: !(gm_op == GM_NQ && nq_res == NQ_BUG) && gm_op != GM_UP && gm_op != GM_MAYDEMOTE -> gl_run_queues() :: else fi;',
    '       if',
    '       :: gm_op == GM_NQ && nq_res != NQ_BUG ->',
    '            if',
    '            :: h_granted[nq_h] -> nq_res = NQ_GRANTED',
    fix === 'rfc' ? '            :: else -> if :: nq_try -> gl_restore_all(); nq_res = NQ_TRYFAILED :: else -> nq_res = NQ_QUEUED fi' : '            :: else -> nq_res = NQ_QUEUED',
    '            fi',
    '       :: else',
    '       fi;',
    '       gm_rep!0 }',
    '  od',
    '}',
  );
}

/** The scratch and frame variables every task proctype declares. */
export function taskLocals(): string {
  return lines(
    '  /* task_struct */',
    '  byte pfd;             /* pagefault_disable() depth */',
    '  bit outer_glock;      /* RFC 2021: holds an outer glock (current->journal_info) */',
    '  bit needs_retry;      /* RFC 2021: a fault asked the syscall to drop its glock and retry */',
    '  bit killed;           /* SIGBUS delivered to a user access */',
    '  byte pc;              /* which program entry */',
    '  /* the syscall and its frame (read_iter, write_iter, truncate, mmap, user access) */',
    '  byte call, ino, pos, plen, buf, arg, s_st, s_ret_to, done;',
    '  bit direct, uw;',
    '  short ret;',
    '  /* the callee frame (filemap_read, iomap_dio_rw, iomap_file_buffered_write, fault_in_iov_iter) */',
    '  byte c_st, c_kind, c_ino, c_pos, c_len, c_buf, c_done, c_index, c_page;',
    '  bit c_noio, c_write;',
    '  bit c_inval;          /* iomap_dio_rw (WRITE) has invalidated its range */',
    '  /* gfs2 6.4 gfs2_file_direct_write: prev_count (done + 1, 0: none), window_size in pages, enough_retries */',
    '  byte w_last, w_win;',
    '  bit w_enough;',
    '  short c_ret;',
    '  /* a kernel copy to or from one user page */',
    '  byte cp_e, cp_res, cp_retries;',
    '  bit cp_w;',
    '  /* do_page_fault */',
    '  byte f_st, f_e, f_ino, f_index, f_vmfpage;',
    '  bit f_write, f_shared, f_tried, f_vma;',
    '  bit f_fpin;           /* filemap_fault dropped mmap_lock (maybe_unlock_mmap_for_io): it owes a VM_FAULT_RETRY */',
    '  short f_ret;',
    '  /* ->fault / ->page_mkwrite (gfs2_fault, gfs2_page_mkwrite) and filemap_fault */',
    '  byte g_st, g_page, g_mode, m_st;',
    '  short g_ret;',
  );
}

/** Routing of gfs2_fault / gfs2_page_mkwrite under the RFC: what does the task already hold on this glock? */
function rfcRoute(modeExpr: string): string {
  return lines(
    '       /* RFC 2021: gfs2_glock_is_locked_by_me → covered (run under it), incompatible (VM_FAULT_SIGBUS, needs retry), or lock (LM_FLAG_TRY if an outer glock is held) */',
    `       g_mode = ${modeExpr}; nq_g = node * NI + f_ino; nq_i = 0; nq_h = 255;`,
    '       do :: nq_i < gl_qlen[nq_g] -> if :: QAT(nq_g, nq_i) / 2 == t && h_granted[QAT(nq_g, nq_i)] && nq_h == 255 -> nq_h = QAT(nq_g, nq_i) :: else fi; nq_i++ :: else -> break od;',
    '       if',
    '       :: nq_h == 255 -> g_st = 1',
    '       :: nq_h != 255 && ((h_mode[nq_h] == EX && g_mode != DF) || h_mode[nq_h] == g_mode) -> g_st = 20   /* holderCovers */',
    '       :: else -> g_ret = VM_FAULT_SIGBUS; needs_retry = 1; g_st = 99',
    '       fi',
  );
}

/**
 * filemap_fault (src/threads/filemap.ts) as 5.x does it, on f_ino:f_index →
 * g_ret, f_vmfpage: a first attempt (not FAULT_FLAG_TRIED) drops mmap_lock
 * before reading the page in (do_sync_mmap_readahead) or before sleeping on a
 * contended page lock (lock_page_maybe_drop_mmap), and then returns
 * VM_FAULT_RETRY once the page is locked and checked.
 */
function filemapFault(): string {
  return lines(
    '/* filemap_fault (mm/filemap.c, 5.x; src/threads/filemap.ts) on f_ino:f_index → g_ret, f_vmfpage (the locked page) */',
    'inline filemap_fault() {',
    '  m_st = 1; f_fpin = 0;',
    '  do',
    '  :: atomic { m_st == 1 ->   /* size_check: pgoff ≥ i_size → VM_FAULT_SIGBUS */',
    '       if :: f_index >= i_size[f_ino] -> g_ret = VM_FAULT_SIGBUS; m_st = 0; break :: else -> m_st = 2 fi }',
    '  :: atomic { m_st == 2 ->   /* find_get_page / filemap_get_folio; not cached: drop mmap_lock first unless TRIED or already dropped */',
    '       if',
    '       :: cache[f_ino * NX + f_index] != 0 -> g_page = cache[f_ino * NX + f_index] - 1; m_st = 4',
    '       :: else -> m_st = (!f_tried && !f_fpin -> 9 : 3)',
    '       fi }',
    '  :: atomic { m_st == 9 -> up(MMAP_LOCK(mm)); f_fpin = 1; m_st = 3 }   /* do_sync_mmap_readahead → maybe_unlock_mmap_for_io */',
    '  :: atomic { m_st == 3 ->   /* the read: add the page, ->readahead, unlock_page: one step */',
    '       new_page(f_ino, f_index, 0); m_st = 2 }',
    '  :: atomic { m_st == 4 ->   /* lock_page_maybe_drop_mmap: trylock, else (first attempt) mmap_read_unlock, then sleep for the page */',
    '       if',
    '       :: CAN_GRANT(PAGE_LOCK(g_page), 1) -> lk_writer[PAGE_LOCK(g_page)] = t + 1; m_st = 7',
    '       :: else ->',
    '            if :: !f_tried && !f_fpin -> up(MMAP_LOCK(mm)); f_fpin = 1 :: else fi;',
    '            down(PAGE_LOCK(g_page), 1); m_st = 6',
    '       fi }',
    '  :: atomic { m_st == 6 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; m_st = 7 }',
    '  :: atomic { m_st == 7 ->   /* page->mapping != mapping (truncated) → unlock, look it up again; mmap_lock dropped → unlock, VM_FAULT_RETRY */',
    '       if',
    '       :: pg_map[g_page] != f_ino + 1 -> up(PAGE_LOCK(g_page)); g_page = 0; m_st = 2',
    '       :: pg_map[g_page] == f_ino + 1 && f_fpin -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_RETRY; g_page = 0; f_fpin = 0; m_st = 0; break',
    '       :: pg_map[g_page] == f_ino + 1 && !f_fpin -> m_st = 8',
    '       fi }',
    '  :: atomic { m_st == 8 ->   /* i_size re-checked under the page lock */',
    '       if',
    '       :: f_index < i_size[f_ino] -> g_ret = VM_FAULT_LOCKED; f_vmfpage = g_page',
    '       :: else -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_SIGBUS',
    '       fi;',
    '       g_page = 0; m_st = 0; break }',
    '  od',
    '}',
  );
}

/** A glock request plus its wait, as a sequence of `g_st` states: `at` queues, `at + 1` sleeps, then `next`. */
function faultGlock(at: number, next: number, tryExpr: string, fix: Gfs2Fix): string {
  return lines(
    `  :: atomic { g_st == ${at} ->`,
    `       nq_h = FAULT_HOLDER; nq_ino = f_ino; nq_mode = g_mode; nq_try = ${tryExpr}; glock_nq();`,
    '       if',
    `       :: nq_res == NQ_GRANTED -> g_st = ${next}`,
    `       :: nq_res == NQ_QUEUED -> g_st = ${at + 1}`,
    when(fix === 'rfc', '       :: nq_res == NQ_TRYFAILED -> g_ret = VM_FAULT_SIGBUS; needs_retry = 1; g_st = 99   /* GLR_TRYFAILED → set_current_needs_retry → VM_FAULT_SIGBUS */'),
    '       fi }',
    `  :: atomic { g_st == ${at + 1} && (h_granted[FAULT_HOLDER] || stopped) -> if :: stopped -> goto stop :: else fi; g_st = ${next} }   /* gfs2_glock_wait */`,
  );
}

/** gfs2_fault and gfs2_page_mkwrite (src/threads/gfs2.ts). */
function faultHandlers(fix: Gfs2Fix, shared: boolean): string {
  const rfc = fix === 'rfc';
  const tryExpr = rfc ? 'outer_glock' : '0';
  return lines(
    '/* gfs2_fault (fs/gfs2/file.c): the inode glock SH, filemap_fault, release */',
    'inline gfs2_fault() {',
    rfc ? '  g_st = 0;' : '  g_st = 1; g_mode = SH;',
    '  do',
    when(rfc, lines('  :: atomic { g_st == 0 ->   /* the RFC\'s tree asks for EX on write faults */', rfcRoute('(f_write -> EX : SH)'), '     }')),
    faultGlock(1, 3, tryExpr, fix),
    '  :: g_st == 3 -> filemap_fault(); g_st = 4',
    '  :: atomic { g_st == 4 -> dq_h = FAULT_HOLDER; dq_ino = f_ino; glock_dq(); g_st = 99 }',
    when(rfc, '  :: g_st == 20 -> filemap_fault(); g_st = 99   /* filemap_fault under the outer holder */'),
    '  :: g_st == 99 -> g_st = 0; break',
    '  od',
    '}',
    '',
    when(
      shared,
      lines(
        '/* gfs2_page_mkwrite (fs/gfs2/file.c) on page g_page: EX glock, size check, lock_page, page->mapping check */',
        'inline gfs2_page_mkwrite() {',
        rfc ? '  g_st = 0;' : '  g_st = 1; g_mode = EX;',
        '  do',
        when(rfc, lines('  :: atomic { g_st == 0 ->', rfcRoute('EX'), '     }')),
        faultGlock(1, 20, tryExpr, fix),
        '  :: atomic { g_st == 20 ->   /* page beyond i_size → VM_FAULT_SIGBUS */',
        '       if :: f_index >= i_size[f_ino] -> g_ret = VM_FAULT_SIGBUS; g_st = 25 :: else -> g_st = 21 fi }',
        '  :: atomic { g_st == 21 -> down(PAGE_LOCK(g_page), 1); g_st = 22 }   /* lock_page */',
        '  :: atomic { g_st == 22 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; g_st = 23 }',
        '  :: atomic { g_st == 23 ->   /* page->mapping unchanged → VM_FAULT_LOCKED; changed (truncated) → unlock_page, VM_FAULT_NOPAGE */',
        '       if',
        '       :: pg_map[g_page] == f_ino + 1 -> g_ret = VM_FAULT_LOCKED; f_vmfpage = g_page',
        '       :: else -> up(PAGE_LOCK(g_page)); g_ret = VM_FAULT_NOPAGE',
        '       fi;',
        '       g_st = 25 }',
        '  :: atomic { g_st == 25 -> if :: h_queued[FAULT_HOLDER] -> dq_h = FAULT_HOLDER; dq_ino = f_ino; glock_dq() :: else fi; g_st = 99 }',
        '  :: g_st == 99 -> g_st = 0; g_page = 0; break',
        '  od',
        '}',
      ),
    ),
  );
}

/** do_page_fault and the handle_mm_fault dispatch (src/threads/fault.ts). */
function doPageFault(shared: boolean, fix: Gfs2Fix): string {
  return lines(
    '/*',
    ' * do_page_fault (arch/x86/mm/fault.c) and handle_mm_fault (mm/memory.c) on',
    ' * PTE slot E, a write fault when W → f_ret: 0 (the access can be retried)',
    ' * or VM_FAULT_SIGBUS. mmap_lock is held for read across the handler;',
    ' * VM_FAULT_RETRY means the handler dropped it, and the fault runs again with',
    ' * FAULT_FLAG_TRIED, as often as it is asked to (5.x: FAULT_FLAG_ALLOW_RETRY',
    ' * stays set). get_user_pages retries the same way.',
    ' */',
    'inline do_page_fault(E, W) {',
    '  f_e = E; f_write = W; f_tried = 0; f_st = 1;',
    '  do',
    '  :: atomic { f_st == 1 -> down(MMAP_LOCK(mm), 0); f_st = 2 }   /* mmap_read_lock */',
    '  :: atomic { f_st == 2 && (!waiting[t] || stopped) ->',
    '       if :: stopped -> goto stop :: else fi;',
    '       find_vma();',
    '       if :: f_vma -> f_st = 3 :: else -> f_st = 31 fi }   /* no VMA: bad_area */',
    '  :: atomic { f_st == 3 ->   /* handle_pte_fault: a PTE that allows the access needs nothing; a write to a present read-only page is do_wp_page, not ->fault */',
    '       if',
    '       :: ACCESS_OK(f_e, f_write) -> f_st = 30',
    '       :: !ACCESS_OK(f_e, f_write) && f_write && PTE_IS_PAGE(pte[f_e]) && !PTE_W(pte[f_e]) -> f_st = 10',
    '       :: else -> f_st = 4',
    '       fi }',
    '  :: f_st == 4 ->   /* ->fault = gfs2_fault, then what it returned */',
    '       gfs2_fault();',
    '       if',
    '       :: g_ret == VM_FAULT_RETRY -> f_tried = 1; f_vmfpage = 0; f_st = 1',
    '       :: g_ret == VM_FAULT_NOPAGE -> f_st = 30',
    '       :: g_ret == VM_FAULT_LOCKED && !f_write -> f_st = 5',
    '       :: g_ret == VM_FAULT_LOCKED && f_write && !f_shared -> f_st = 6',
    when(shared, '       :: g_ret == VM_FAULT_LOCKED && f_write && f_shared -> f_st = 7'),
    '       :: else -> f_st = 31',
    '       fi',
    '  :: atomic { f_st == 5 -> pte[f_e] = PTE_PAGE(f_vmfpage, 0); up(PAGE_LOCK(f_vmfpage)); f_st = 30 }   /* do_read_fault: set_pte read-only, unlock_page */',
    '  :: atomic { f_st == 6 -> pte[f_e] = PTE_ANON; up(PAGE_LOCK(f_vmfpage)); f_st = 30 }   /* do_cow_fault: copy to an anonymous page, unlock_page */',
    shared
      ? lines(
          '  :: atomic { f_st == 7 -> up(PAGE_LOCK(f_vmfpage)); g_page = f_vmfpage; f_st = 11 }   /* do_shared_fault: unlock_page, ->page_mkwrite */',
          '  :: atomic { f_st == 10 ->   /* do_wp_page: wp_page_copy for a private mapping, else ->page_mkwrite */',
          '       if',
          '       :: !f_shared || !PTE_IS_PAGE(pte[f_e]) -> pte[f_e] = PTE_ANON; f_st = 30',
          '       :: else -> g_page = PTE_SLOT(pte[f_e]); f_st = 11',
          '       fi }',
          '  :: f_st == 11 ->   /* ->page_mkwrite = gfs2_page_mkwrite, then what it returned */',
          '       gfs2_page_mkwrite();',
          '       if',
          '       :: g_ret == VM_FAULT_LOCKED -> f_st = 12',
          '       :: g_ret == VM_FAULT_NOPAGE -> f_st = 30',
          '       :: else -> f_st = 31',
          '       fi',
          '  :: atomic { f_st == 12 ->   /* set_pte writable, unlock_page; fault_dirty_shared_page: a first attempt drops mmap_lock for balance_dirty_pages */',
          '       pte[f_e] = PTE_PAGE(f_vmfpage, 1); up(PAGE_LOCK(f_vmfpage));',
          '       if',
          '       :: f_tried -> f_st = 30',
          fix === '6.4'
            ? '       :: else -> up(MMAP_LOCK(mm)); f_ret = 0; f_st = 0; break   /* VM_FAULT_COMPLETED */'
            : '       :: else -> up(MMAP_LOCK(mm)); f_tried = 1; f_vmfpage = 0; f_st = 1   /* VM_FAULT_RETRY */',
          '       fi }',
        )
      : '  :: atomic { f_st == 10 -> pte[f_e] = PTE_ANON; f_st = 30 }   /* do_wp_page → wp_page_copy (no MAP_SHARED mapping in this scenario: no ->page_mkwrite) */',
    '  :: atomic { f_st == 30 -> up(MMAP_LOCK(mm)); f_ret = 0; f_st = 0; break }   /* mmap_read_unlock */',
    '  :: atomic { f_st == 31 -> up(MMAP_LOCK(mm)); f_ret = VM_FAULT_SIGBUS; f_st = 0; break }   /* mmap_read_unlock → VM_FAULT_SIGBUS */',
    '  od;',
    '  f_e = 0; f_write = 0; f_tried = 0; f_vmfpage = 0; f_ino = 0; f_index = 0; f_shared = 0; f_vma = 0; f_fpin = 0; g_ret = 0; g_mode = 0',
    '}',
  );
}

/** copyStates (src/threads/copy.ts): a kernel copy of one user page, which may fault → cp_res. */
function userCopy(): string {
  return lines(
    '/*',
    ' * A kernel copy to (W) or from one user page through PTE slot cp_e',
    ' * (copy_page_to_iter, get_user_pages, iov_iter_zero, the fault-in',
    ' * helpers, a user access): it completes through a present PTE (COPY_DONE),',
    ' * comes back short because page faults are disabled (COPY_SHORT), or',
    ' * faults (COPY_FAULT): the callee then returns to run_syscall, which runs',
    ' * do_page_fault (so that the fault path exists once in the model) and',
    ' * calls the callee again, which tries the copy again; a failed fault',
    ' * (COPY_FAILED) makes the copy short (exception fixup / vm_fault_to_errno).',
    ' */',
    'inline user_copy(W) {',
    '  if',
    '  :: cp_res == COPY_FAILED -> cp_res = COPY_SHORT; cp_retries = 0',
    '  :: else ->',
    '       atomic {',
    '         if',
    '         :: ACCESS_OK(cp_e, W) -> cp_res = COPY_DONE; cp_retries = 0',
    '         :: else ->',
    '              if',
    '              :: pfd > 0 -> cp_res = COPY_SHORT; cp_retries = 0',
    '              :: else -> if :: cp_retries >= FAULT_RETRY_BOUND -> LIVELOCK :: else fi; cp_retries++; cp_w = W; cp_res = COPY_FAULT',
    '              fi',
    '         fi }',
    '  fi',
    '}',
  );
}

/** The callees run from state CALL: each a machine over c_st (0: finished), leaving with cp_res == COPY_FAULT when its copy faults. */
function callees(kinds: readonly CalleeKind[]): string {
  const parts: string[] = [];
  if (kinds.includes('read')) {
    parts.push(
      lines(
        '/* generic_file_read_iter → filemap_read (mm/filemap.c): per page, find it (read it in unless IOCB_NOIO), copy_page_to_iter */',
        'inline filemap_read() {',
        '  do',
        '  :: atomic { c_st == 1 ->   /* filemap_get_pages */',
        '       c_index = c_pos + c_done;',
        '       if',
        '       :: c_done >= c_len || c_index >= i_size[c_ino] -> c_ret = c_done; c_st = 0; break',
        '       :: else ->',
        '            if',
        '            :: cache[c_ino * NX + c_index] != 0 -> c_page = cache[c_ino * NX + c_index] - 1; c_st = 3',
        '            :: else -> if :: c_noio -> c_ret = (c_done > 0 -> c_done : -EAGAIN); c_st = 0; break :: else -> c_st = 2 fi',
        '            fi',
        '       fi }',
        '  :: atomic { c_st == 2 -> new_page(c_ino, c_index, 0); c_st = 1 }   /* filemap_read_page */',
        '  :: c_st == 3 ->   /* copy_page_to_iter: writes user memory */',
        '       slot_of(c_buf + c_done); user_copy(1);',
        '       if',
        '       :: cp_res == COPY_DONE -> c_done++; c_page = 0; c_st = 1',
        '       :: cp_res == COPY_FAULT -> break',
        '       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break',
        '       fi',
        '  od',
        '}',
      ),
    );
  }
  if (kinds.includes('dio')) {
    parts.push(
      lines(
        '/* iomap_dio_rw (fs/iomap/direct-io.c): pin each user page (bio_iov_iter_get_pages → get_user_pages), or iov_iter_zero for a hole read */',
        'hidden byte dio_i;',
        'inline iomap_dio_rw() {',
        '  do',
        '  :: atomic { c_st == 1 ->',
        '       c_index = c_pos + c_done;',
        '       if   /* a write first invalidates the page cache over its range (invalidate_inode_pages2_range), a page at a time */',
        '       :: c_write && !c_inval ->',
        '            dio_i = c_index; do :: dio_i < c_pos + c_len && cache[c_ino * NX + dio_i] == 0 -> dio_i++ :: else -> break od;',
        '            if :: dio_i < c_pos + c_len -> c_page = cache[c_ino * NX + dio_i] - 1; c_st = 3 :: else -> c_inval = 1 fi',
        '       :: else',
        '       fi;',
        '       if',
        '       :: c_st == 3 -> skip',
        '       :: else ->',
        '            if',
        '            :: c_done >= c_len -> c_ret = c_done; c_st = 0; break',
        '            :: c_write && !blk[c_ino * NX + c_index] -> c_ret = c_done; c_st = 0; break   /* gfs2_iomap_begin: a hole → -ENOTBLK, fall back to buffered I/O */',
        '            :: else -> c_st = 2',
        '            fi',
        '       fi }',
        '  :: atomic { c_st == 3 -> down(PAGE_LOCK(c_page), 1); c_st = 4 }   /* lock_page */',
        '  :: atomic { c_st == 4 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; c_st = 5 }',
        '  :: atomic { c_st == 5 ->   /* unmap it from every process, delete it from the page cache, unlock_page */',
        '       if',
        '       :: pg_map[c_page] == c_ino + 1 ->',
        '            unmap_page(c_page);',
        '            dio_i = 0; do :: dio_i < NX -> if :: cache[c_ino * NX + dio_i] == c_page + 1 -> cache[c_ino * NX + dio_i] = 0 :: else fi; dio_i++ :: else -> break od;',
        '            pg_map[c_page] = 0',
        '       :: else',
        '       fi;',
        '       up(PAGE_LOCK(c_page)); c_page = 0; c_st = 1 }',
        '  :: c_st == 2 ->',
        '       slot_of(c_buf + c_done); user_copy(!c_write);   /* reading the file writes user memory */',
        '       if',
        '       :: cp_res == COPY_DONE -> c_done++; c_st = 1',
        '       :: cp_res == COPY_FAULT -> break',
        '       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break',
        '       fi',
        '  od',
        '}',
      ),
    );
  }
  if (kinds.includes('buffered')) {
    parts.push(
      lines(
        '/*',
        ' * iomap_file_buffered_write → iomap_write_iter (fs/iomap/buffered-io.c): per',
        ' * page, prefault the source (may fault), write_begin locks the page, an',
        ' * atomic copy that never faults (copied 0 → unlock, go round), write_end',
        ' * allocates the block if needed and unlocks. (The simulator\'s livelock',
        ' * bound on copied-0 rounds cannot trip: each successful prefault resets it.)',
        ' */',
        'inline iomap_file_buffered_write() {',
        '  do',
        '  :: c_st == 1 ->',
        '       if :: c_done >= c_len -> c_ret = c_done; c_st = 0; break :: else fi;',
        '       c_index = c_pos + c_done; c_st = 7',
        '  :: c_st == 7 ->',
        '       slot_of(c_buf + c_done); user_copy(0);   /* fault_in_iov_iter_readable (prefault) */',
        '       if',
        '       :: cp_res == COPY_DONE -> c_st = 2',
        '       :: cp_res == COPY_FAULT -> break',
        '       :: cp_res == COPY_SHORT -> c_ret = (c_done > 0 -> c_done : -EFAULT); c_st = 0; break',
        '       fi',
        '  :: atomic { c_st == 2 ->   /* iomap_write_begin: grab the cached page, or add a new one locked */',
        '       if',
        '       :: cache[c_ino * NX + c_index] != 0 -> c_page = cache[c_ino * NX + c_index] - 1; c_st = 3',
        '       :: else -> new_page(c_ino, c_index, 1); c_page = np_f; c_st = 5',
        '       fi }',
        '  :: atomic { c_st == 3 -> down(PAGE_LOCK(c_page), 1); c_st = 4 }   /* lock_page */',
        '  :: atomic { c_st == 4 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; c_st = 5 }',
        '  :: atomic { c_st == 5 ->   /* copy_page_from_iter_atomic: no faults */',
        '       if :: ACCESS_OK(cp_e, 0) -> c_st = 6 :: else -> up(PAGE_LOCK(c_page)); c_page = 0; c_st = 1 fi }',
        '  :: atomic { c_st == 6 ->   /* iomap_write_end: allocate the block if it is a hole, unlock_page */',
        '       if :: !blk[c_ino * NX + c_index] && nfree > 0 -> blk[c_ino * NX + c_index] = 1; nfree-- :: else fi;',
        '       up(PAGE_LOCK(c_page)); c_page = 0; c_done++; c_st = 1 }',
        '  od',
        '}',
      ),
    );
  }
  if (kinds.includes('faultin')) {
    parts.push(
      lines(
        '/* fault_in_iov_iter_writeable / _readable (mm/gup.c): touch each page with faults enabled, stop at the first that fails → c_ret pages */',
        'inline fault_in_iov_iter() {',
        '  do',
        '  :: c_st == 1 -> if :: c_done >= c_len -> c_ret = c_done; c_st = 0; break :: else -> c_st = 2 fi',
        '  :: c_st == 2 ->',
        '       slot_of(c_buf + c_done); user_copy(c_write);',
        '       if',
        '       :: cp_res == COPY_DONE -> c_done++; c_st = 1',
        '       :: cp_res == COPY_FAULT -> break',
        '       :: cp_res == COPY_SHORT -> c_ret = c_done; c_st = 0; break',
        '       fi',
        '  od',
        '}',
      ),
    );
  }
  if (kinds.includes('touch')) {
    parts.push(
      lines(
        '/* a user load or store (uw): it faults in user mode, and VM_FAULT_SIGBUS kills the task (do_sigbus → force_sig_fault) */',
        'inline user_access() {',
        '  slot_of(buf); user_copy(uw);',
        '  if',
        '  :: cp_res == COPY_DONE -> c_st = 0',
        '  :: cp_res == COPY_FAULT -> skip',
        '  :: cp_res == COPY_SHORT -> killed = 1; c_st = 0',
        '  fi',
        '}',
      ),
    );
  }
  return parts.join('\n\n');
}

/** Call the callee named by c_kind, from one place: and the fault its copy took, from one place too. */
function callSite(kinds: readonly CalleeKind[]): string {
  const names: Record<CalleeKind, string> = { read: 'filemap_read', dio: 'iomap_dio_rw', buffered: 'iomap_file_buffered_write', faultin: 'fault_in_iov_iter', touch: 'user_access' };
  const codes: Record<CalleeKind, string> = { read: 'CALL_READ', dio: 'CALL_DIO', buffered: 'CALL_BUFFERED', faultin: 'CALL_FAULTIN', touch: 'CALL_TOUCH' };
  return lines(
    '  :: s_st == CALL ->',
    '       if',
    ...kinds.map((k) => `       :: c_kind == ${codes[k]} -> ${names[k]}()`),
    '       fi;',
    '       if',
    '       :: c_st == 0 -> c_kind = 0; cp_res = 0; c_inval = 0; s_st = s_ret_to   /* the callee returned */',
    '       :: else -> do_page_fault(cp_e, cp_w); cp_res = (f_ret == 0 -> COPY_RETRY : COPY_FAILED); f_ret = 0   /* its copy faulted: the fault, then back to the copy */',
    '       fi',
  );
}

/** A syscall-level glock request on the syscall's holder and its wait: states `at`, `waitAt`, then `next`. */
function sysGlock(at: string, waitAt: string, next: string, modeExpr: string, outer: boolean): string {
  return lines(
    `  :: atomic { s_st == ${at} ->   /* gfs2_glock_nq */`,
    `       nq_h = SYS_HOLDER; nq_ino = ino; nq_mode = ${modeExpr}; nq_try = 0; glock_nq();${outer ? ' outer_glock = 1;   /* LM_FLAG_OUTER */' : ''}`,
    `       if :: nq_res == NQ_GRANTED -> s_st = ${next} :: else -> s_st = ${waitAt} fi }`,
    `  :: atomic { s_st == ${waitAt} && (h_granted[SYS_HOLDER] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = ${next} }   /* gfs2_glock_wait */`,
  );
}

function dq(at: string, rest: string): string {
  return `  :: atomic { s_st == ${at} -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq();${rest} }`;
}

/** Read call arguments: what is left of the request. */
const CALL_ARGS = 'c_ino = ino; c_pos = pos + done; c_len = plen - done; c_buf = buf + done';
/** Add what the callee did to `done`, keep its return. */
const ACCUMULATE = 'if :: c_ret > 0 -> done = done + c_ret :: else fi; ret = c_ret';

/** gfs2_file_read_iter under the variant (src/threads/gfs2.ts). */
function readIter(fix: Gfs2Fix): string {
  // 6.4 reads as 5.18 does (fa58cc888d67 changed the O_DIRECT write only).
  const late = fix === '5.18' || fix === '6.4';
  const nofault = fix === '5.16' || late;
  const header: Record<Gfs2Fix, string> = {
    none: '5.15: the glock is held (SH, O_DIRECT: DF) while the copy to the user buffer faults',
    rfc: 'RFC 2021: LM_FLAG_OUTER; a fault that asked for a retry (current_needs_retry) makes the read drop the glock, fault one page in and retry',
    '5.16': '5.16: the read runs with page faults disabled; on -EFAULT or partial progress the holder is marked may-demote, one page is faulted in, and the read retries (under the glock if still held)',
    '5.18': '5.18: the read runs with page faults disabled; on -EFAULT it drops the glock, faults the rest in, re-acquires and retries; no progress → give up',
    '6.4': '6.4: as 5.18',
  };
  const faultInState = fix === 'rfc' ? 'R_CHECK_RETRY' : fix === '5.16' ? 'R_ALLOW' : 'R_DQ_FAULTIN';
  return lines(
    '/*',
    ` * gfs2_file_read_iter (fs/gfs2/file.c), ${header[fix]}.`,
    ' * A first, lockless pass (IOCB_NOIO) copies what is cached; O_DIRECT skips',
    ' * it (gfs2_file_direct_read).',
    ' */',
    '#define R_NOIO 1',
    '#define R_NOIO_RET 2',
    '#define R_NQ 3',
    '#define R_NQ_WAIT 4',
    '#define R_READ 5',
    '#define R_READ_RET 6',
    '#define R_DQ 7',
    '#define R_CHECK_RETRY 8',
    '#define R_FAULTED_IN 9',
    '#define R_ALLOW 10',
    '#define R_DISALLOW 11',
    '#define R_DQ_FAULTIN 12',
    '#define R_RETURN 13',
    '  :: s_st == R_NOIO ->',
    '       if',
    '       :: direct -> s_st = R_NQ',
    `       :: else -> ${late ? 'pfd++; ' : ''}${CALL_ARGS}; c_noio = 1; c_kind = CALL_READ; s_ret_to = R_NOIO_RET; c_st = 1; c_done = 0; s_st = CALL`,
    '       fi',
    '  :: s_st == R_NOIO_RET ->',
    `       ${late ? 'pfd--; ' : ''}${ACCUMULATE}; c_noio = 0;`,
    '       if',
    '       :: c_ret >= 0 && plen == done -> s_st = R_RETURN',
    `       :: else -> if :: c_ret >= 0 || c_ret == -EAGAIN${late ? ' || c_ret == -EFAULT' : ''} -> s_st = R_NQ :: else -> s_st = R_RETURN fi`,
    '       fi',
    sysGlock('R_NQ', 'R_NQ_WAIT', 'R_READ', '(direct -> DF : SH)', fix === 'rfc'),
    `  :: s_st == R_READ -> ${nofault ? 'pfd++; ' : ''}${CALL_ARGS}; c_write = 0; c_kind = (direct -> CALL_DIO : CALL_READ); s_ret_to = R_READ_RET; c_st = 1; c_done = 0; s_st = CALL`,
    nofault
      ? lines(
          '  :: s_st == R_READ_RET ->',
          `       pfd--; ${ACCUMULATE};`,
          `       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = ${faultInState} :: else -> s_st = R_DQ fi   /* should_fault_in_pages */`,
          '  :: atomic { s_st == R_DQ -> if :: h_queued[SYS_HOLDER] -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq() :: else fi; s_st = R_RETURN }',
        )
      : lines(`  :: s_st == R_READ_RET -> ${ACCUMULATE}; s_st = R_DQ`, dq('R_DQ', fix === 'rfc' ? ' outer_glock = 0; s_st = R_CHECK_RETRY' : ' s_st = R_RETURN')),
    when(
      fix === 'rfc',
      lines(
        '  :: s_st == R_CHECK_RETRY ->   /* current_needs_retry and -EFAULT → iov_iter_fault_in_writeable(PAGE_SIZE) */',
        '       if',
        '       :: !needs_retry -> s_st = R_RETURN',
        '       :: needs_retry && ret != -EFAULT -> needs_retry = 0; s_st = R_RETURN',
        '       :: needs_retry && ret == -EFAULT -> needs_retry = 0; c_buf = buf + done; c_len = 1; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL',
        '       fi',
        '  :: s_st == R_FAULTED_IN -> if :: c_ret > 0 -> s_st = R_NQ :: else -> ret = -EFAULT; s_st = R_RETURN fi',
      ),
    ),
    when(
      fix === '5.16',
      lines(
        '  :: atomic { s_st == R_ALLOW ->   /* gfs2_holder_allow_demote; fault_in_iov_iter_writeable(1 page) */',
        '       set_may_demote(SYS_HOLDER, 1, ino); c_buf = buf + done; c_len = 1; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_DISALLOW; c_st = 1; c_done = 0; s_st = CALL }',
        '  :: atomic { s_st == R_DISALLOW ->   /* gfs2_holder_disallow_demote */',
        '       set_may_demote(SYS_HOLDER, 0, ino);',
        '       if',
        '       :: c_ret <= 0 -> ret = -EFAULT; s_st = R_DQ   /* no progress: give up */',
        '       :: c_ret > 0 && h_queued[SYS_HOLDER] -> s_st = R_READ   /* glock still held: retry under it */',
        '       :: c_ret > 0 && !h_queued[SYS_HOLDER] && !direct && done > 0 -> s_st = R_RETURN   /* glock lost with bytes read: short read */',
        '       :: else -> s_st = R_NQ   /* glock lost: re-acquire it */',
        '       fi }',
      ),
    ),
    when(
      late,
      lines(
        dq('R_DQ_FAULTIN', ' c_buf = buf + done; c_len = plen - done; c_write = 1; c_kind = CALL_FAULTIN; s_ret_to = R_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL'),
        '  :: s_st == R_FAULTED_IN -> if :: c_ret > 0 -> s_st = R_NQ :: else -> ret = -EFAULT; s_st = R_RETURN fi   /* fault-in made no progress: give up */',
      ),
    ),
    '  :: s_st == R_RETURN -> s_st = S_END',
  );
}

/** gfs2_file_write_iter under the variant (src/threads/gfs2-write.ts). */
function writeIter(fix: Gfs2Fix): string {
  const late = fix === '5.18' || fix === '6.4';
  const nofault = fix === '5.16' || late;
  const header: Record<Gfs2Fix, string> = {
    none: '5.15: i_rwsem, then the glock (EX, O_DIRECT: DF) while the copy from the user buffer faults',
    rfc: 'RFC 2021: LM_FLAG_OUTER; after the glock is dropped, a fault that asked for a retry is retried after iov_iter_fault_in_readable(PAGE_SIZE)',
    '5.16': '5.16: copy with page faults disabled; on -EFAULT or partial progress mark the holder may-demote, fault one page in, retry',
    '5.18': '5.18: buffered writes fault the source in before taking the glock; a short copy drops the glock and goes round; O_DIRECT drops the glock, faults in and retries',
    '6.4': '6.4: as 5.18, but an O_DIRECT write whose retry made no progress with a one-page window faults in once more and falls back to a buffered write (fa58cc888d67)',
  };
  const afterFallback = late ? 'W_PREFAULT' : 'W_NQ';
  return lines(
    '/*',
    ` * gfs2_file_write_iter (fs/gfs2/file.c), ${header[fix]}.`,
    ' * An O_DIRECT write that stops at a hole goes on as a buffered write.',
    when(
      fix === 'none' || fix === 'rfc',
      ' * The buffered EX is taken here around the whole write; the simulator takes it\n * in gfs2_iomap_begin → gfs2_write_lock per iomap iteration: for one iteration,\n * the same locks in the same order.',
    ),
    ' */',
    '#define W_ILOCK 21',
    '#define W_ILOCK_WAIT 22',
    '#define W_NQ 23',
    '#define W_NQ_WAIT 24',
    '#define W_WRITE 25',
    '#define W_WRITE_RET 26',
    '#define W_DQ 27',
    '#define W_AFTER_DQ 28',
    '#define W_CHECK_RETRY 29',
    '#define W_FAULTED_IN 30',
    '#define W_ALLOW 31',
    '#define W_DISALLOW 32',
    '#define W_DQ_IF_QUEUED 33',
    '#define W_PREFAULT 34',
    '#define W_DQ_RETRY 35',
    '#define W_RETURN 36',
    '#define W_DFAULTIN 37',
    '#define W_DFAULTED 38',
    '  :: atomic { s_st == W_ILOCK -> down(I_RWSEM(ino), 1); s_st = W_ILOCK_WAIT }   /* inode_lock */',
    `  :: atomic { s_st == W_ILOCK_WAIT && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; ${late ? 's_st = (direct -> W_NQ : W_PREFAULT)' : 's_st = W_NQ'} }`,
    sysGlock('W_NQ', 'W_NQ_WAIT', 'W_WRITE', '(direct -> DF : EX)', fix === 'rfc'),
    `  :: s_st == W_WRITE -> ${nofault ? 'pfd++; ' : ''}${CALL_ARGS}; c_write = 1; c_kind = (direct -> CALL_DIO : CALL_BUFFERED); s_ret_to = W_WRITE_RET; c_st = 1; c_done = 0; s_st = CALL`,
    '  :: s_st == W_WRITE_RET ->',
    `       ${nofault ? 'pfd--; ' : ''}${ACCUMULATE}; c_write = 0;`,
    fix === '5.16'
      ? '       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = W_ALLOW :: else -> s_st = W_DQ fi'
      : late
        ? '       if :: plen > done && (c_ret == -EFAULT || c_ret > 0) -> s_st = W_DQ_RETRY :: else -> s_st = W_DQ fi'
        : '       s_st = W_DQ',
    dq('W_DQ', fix === 'rfc' ? ' outer_glock = 0; s_st = W_CHECK_RETRY' : ' s_st = W_AFTER_DQ'),
    `  :: s_st == W_AFTER_DQ -> if :: direct && plen > done && ret >= 0 -> direct = 0; s_st = ${afterFallback} :: else -> s_st = W_RETURN fi   /* O_DIRECT stopped at a hole: buffered for the rest */`,
    when(
      fix === 'rfc',
      lines(
        '  :: s_st == W_CHECK_RETRY ->',
        '       if',
        '       :: !needs_retry -> s_st = W_AFTER_DQ',
        '       :: needs_retry && ret != -EFAULT -> needs_retry = 0; s_st = W_AFTER_DQ',
        '       :: needs_retry && ret == -EFAULT -> needs_retry = 0; c_buf = buf + done; c_len = 1; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL',
        '       fi',
        '  :: s_st == W_FAULTED_IN -> if :: c_ret > 0 -> s_st = W_NQ :: else -> ret = -EFAULT; s_st = W_RETURN fi',
      ),
    ),
    when(
      fix === '5.16',
      lines(
        '  :: atomic { s_st == W_ALLOW ->   /* gfs2_holder_allow_demote; fault_in_iov_iter_readable(1 page) */',
        '       set_may_demote(SYS_HOLDER, 1, ino); c_buf = buf + done; c_len = 1; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_DISALLOW; c_st = 1; c_done = 0; s_st = CALL }',
        '  :: atomic { s_st == W_DISALLOW ->   /* gfs2_holder_disallow_demote */',
        '       set_may_demote(SYS_HOLDER, 0, ino);',
        '       if',
        '       :: c_ret <= 0 -> ret = -EFAULT; s_st = W_DQ_IF_QUEUED',
        '       :: c_ret > 0 && h_queued[SYS_HOLDER] -> s_st = W_WRITE',
        '       :: c_ret > 0 && !h_queued[SYS_HOLDER] && !direct && done > 0 -> s_st = W_RETURN   /* short write */',
        '       :: else -> s_st = W_NQ',
        '       fi }',
        '  :: atomic { s_st == W_DQ_IF_QUEUED -> if :: h_queued[SYS_HOLDER] -> dq_h = SYS_HOLDER; dq_ino = ino; glock_dq() :: else fi; s_st = W_RETURN }',
      ),
    ),
    when(
      late,
      lines(
        '  :: s_st == W_PREFAULT ->   /* fault_in_iov_iter_readable(rest), no glock held */',
        '       c_buf = buf + done; c_len = plen - done; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_FAULTED_IN; c_st = 1; c_done = 0; s_st = CALL',
        '  :: s_st == W_FAULTED_IN -> if :: c_ret > 0 -> s_st = W_NQ :: else -> ret = -EFAULT; s_st = W_RETURN fi',
        dq('W_DQ_RETRY', fix === '6.4' ? ' s_st = (direct -> W_DFAULTIN : W_PREFAULT)' : ' s_st = W_PREFAULT'),
      ),
    ),
    when(
      fix === '6.4',
      lines(
        '  :: s_st == W_DFAULTIN ->   /* fa58cc888d67: enough_retries = no progress and window_size <= PAGE_SIZE; fault in one page after no progress */',
        '       w_enough = (w_last == done + 1 && w_win <= 1); c_len = (w_last == done + 1 -> 1 : plen - done); w_last = done + 1;',
        '       c_buf = buf + done; c_write = 0; c_kind = CALL_FAULTIN; s_ret_to = W_DFAULTED; c_st = 1; c_done = 0; s_st = CALL',
        '  :: s_st == W_DFAULTED ->   /* window_size 0 → -EFAULT; else retry, or fall back to buffered I/O (ret = 0) when enough_retries */',
        '       if',
        '       :: c_ret <= 0 -> ret = -EFAULT; s_st = W_RETURN',
        '       :: c_ret > 0 && w_enough -> w_win = c_ret; ret = 0; s_st = W_AFTER_DQ',
        '       :: c_ret > 0 && !w_enough -> w_win = c_ret; s_st = W_NQ',
        '       fi',
      ),
    ),
    `  :: atomic { s_st == W_RETURN -> up(I_RWSEM(ino));${fix === '6.4' ? ' w_last = 0; w_win = 0; w_enough = 0;' : ''} s_st = S_END }   /* inode_unlock */`,
  );
}

/** truncate and hole punch under gfs2 (src/threads/truncate.ts). */
function truncateLike(): string {
  const range = 'if :: call == SYS_PUNCH -> tr_from = pos; tr_to = pos + plen :: else -> tr_from = arg; tr_to = NX fi';
  return lines(
    '/*',
    ' * truncate (gfs2_setattr_size) and hole punch (gfs2_punch_hole), under',
    ' * i_rwsem and the glock EX: truncate sets i_size first; then',
    ' * unmap_mapping_range (i_mmap for write: abstracted, it is only ever taken',
    ' * here, under i_rwsem, so it is never contended), then each cached page is',
    ' * locked and deleted (page->mapping = NULL), then the blocks are freed.',
    ' * Truncate removes pages [arg, end), punch [pos, pos + plen).',
    ' */',
    '#define T_ILOCK 41',
    'hidden byte tr_i, tr_from, tr_to;',
    '  :: atomic { s_st == 41 -> down(I_RWSEM(ino), 1); s_st = 42 }   /* inode_lock */',
    '  :: atomic { s_st == 42 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 43 }',
    sysGlock('43', '44', '45', 'EX', false),
    '  :: atomic { s_st == 45 -> if :: call == SYS_TRUNCATE -> i_size[ino] = arg :: else fi; s_st = 46 }   /* truncate_setsize → i_size_write */',
    '  :: atomic { s_st == 46 ->   /* unmap_mapping_range (truncate: even_cows) */',
    `       ${range};`,
    '       um_ino = ino; um_from = tr_from; um_to = tr_to; um_cows = (call == SYS_TRUNCATE); unmap_mapping_range(); s_st = 47 }',
    '  :: atomic { s_st == 47 ->   /* truncate_inode_pages: the next cached page in the range */',
    `       ${range};`,
    '       tr_i = tr_from;',
    '       do :: tr_i < tr_to && cache[ino * NX + tr_i] == 0 -> tr_i++ :: else -> break od;',
    '       if :: tr_i < tr_to -> c_page = cache[ino * NX + tr_i] - 1; s_st = 48 :: else -> s_st = 51 fi }',
    '  :: atomic { s_st == 48 -> down(PAGE_LOCK(c_page), 1); s_st = 49 }   /* lock_page */',
    '  :: atomic { s_st == 49 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 50 }',
    '  :: atomic { s_st == 50 ->   /* truncate_inode_page: unmap it again if a fault mapped it, delete_from_page_cache, unlock_page */',
    '       unmap_page(c_page);',
    '       tr_i = 0; do :: tr_i < NX -> if :: cache[ino * NX + tr_i] == c_page + 1 -> cache[ino * NX + tr_i] = 0 :: else fi; tr_i++ :: else -> break od;',
    '       pg_map[c_page] = 0; up(PAGE_LOCK(c_page)); c_page = 0; s_st = 47 }',
    '  :: atomic { s_st == 51 ->   /* free the blocks */',
    `       ${range};`,
    '       tr_i = tr_from; do :: tr_i < tr_to -> if :: blk[ino * NX + tr_i] -> blk[ino * NX + tr_i] = 0; nfree++ :: else fi; tr_i++ :: else -> break od;',
    '       s_st = 52 }',
    dq('52', ' s_st = 53'),
    '  :: atomic { s_st == 53 -> up(I_RWSEM(ino)); s_st = S_END }   /* inode_unlock */',
  );
}

/** mmap (src/threads/task.ts: doMmap). */
function doMmap(): string {
  return lines(
    '/* mmap: mmap_write_lock, ->mmap = gfs2_mmap takes the glock SH for atime and drops it, vma_link, mmap_write_unlock */',
    '#define M_LOCK 61',
    '  :: atomic { s_st == 61 -> down(MMAP_LOCK(mm), 1); s_st = 62 }',
    '  :: atomic { s_st == 62 && (!waiting[t] || stopped) -> if :: stopped -> goto stop :: else fi; s_st = 63 }',
    sysGlock('63', '64', '65', 'SH', false),
    dq('65', ' s_st = 66'),
    '  :: atomic { s_st == 66 -> vma_on[arg] = 1; up(MMAP_LOCK(mm)); s_st = S_END }   /* vma_link; mmap_write_unlock */',
  );
}

/** A user load or store (src/threads/fault.ts: userAccess). */
function userAccess(): string {
  return lines(
    '/* a user access: run as the callee user_access */',
    '#define U_ACCESS 71',
    '  :: s_st == 71 -> c_kind = CALL_TOUCH; s_ret_to = S_END; c_st = 1; c_done = 0; s_st = CALL',
  );
}

/** Split a section into its definitions (#define, hidden, comments before the options) and its `do` options. */
function split(section: string): { defs: string; options: string } {
  const all = section.split('\n');
  const at = all.findIndex((l) => l.startsWith('  :: '));
  return at < 0 ? { defs: section, options: '' } : { defs: all.slice(0, at).join('\n'), options: all.slice(at).join('\n') };
}

export type CalleeKind = 'read' | 'dio' | 'buffered' | 'faultin' | 'touch';

/** Which callees and handlers the scenario can reach: only their code is emitted. */
export interface Reach {
  readonly kinds: ReadonlySet<CalleeKind>;
  /** Some VMA is MAP_SHARED: ->page_mkwrite can run. */
  readonly shared: boolean;
}

/**
 * The code of every kernel path the scenario's calls reach, under the
 * variant, and `run_syscall`: one `do` loop over the states of every syscall
 * machine, with one place (state CALL) that runs a callee, so that each
 * callee, and the fault path inside it, exists once in the model.
 */
export function kernelPaths(options: LibraryOptions & Reach): string {
  const { fix, calls, kinds, shared } = options;
  const order: readonly CalleeKind[] = ['read', 'dio', 'buffered', 'faultin', 'touch'];
  const reached = order.filter((k) => kinds.has(k));
  const sections = [
    calls.has('pread') ? split(readIter(fix)) : null,
    calls.has('pwrite') ? split(writeIter(fix)) : null,
    calls.has('truncate') || calls.has('punch') ? split(truncateLike()) : null,
    calls.has('mmap') ? split(doMmap()) : null,
    calls.has('touch') ? split(userAccess()) : null,
  ].filter((x): x is { defs: string; options: string } => x !== null);
  return lines(
    '/* ---- kernel paths (src/threads) -------------------------------------- */',
    '#define CALL 100',
    '#define S_END 101',
    '#define CALL_READ 1',
    '#define CALL_DIO 2',
    '#define CALL_BUFFERED 3',
    '#define CALL_FAULTIN 4',
    '#define CALL_TOUCH 5',
    '',
    filemapFault(),
    '',
    faultHandlers(fix, shared),
    '',
    doPageFault(shared, fix),
    '',
    userCopy(),
    '',
    callees(reached),
    '',
    ...sections.map((sec) => sec.defs),
    '',
    '/* the syscall machines: s_st is the state of the running one */',
    'inline run_syscall() {',
    '  do',
    ...sections.map((sec) => sec.options),
    ...(reached.length > 0 ? [callSite(reached)] : []),
    '  :: s_st == S_END -> break',
    '  od;',
    '  s_st = 0; s_ret_to = 0; c_ret = 0; c_write = 0; c_noio = 0',
    '}',
  );
}
