//@# gfs2 glocks: holders, may_grant, run_queue across nodes, trylocks, the recursion trap (src/kernel/glock.ts).
/* ---- gfs2 glocks (src/kernel/glock.ts; fs/gfs2/glock.c) ---------------
 * One glock per (node, inode): the node's state, a pending demote asked for
 * by another node, and the FIFO queue of holders (granted first). Holder
 * h = 2 * task + role: role 0 is the syscall's holder (gfs2_file_read_iter,
 * gfs2_file_direct_read, gfs2_file_buffered_write / gfs2_iomap_begin,
 * gfs2_file_direct_write, gfs2_setattr_size, gfs2_punch_hole, gfs2_mmap),
 * role 1 the fault handler's (gfs2_fault, gfs2_page_mkwrite): a task never
 * has two holders of one role at once.
 */
#define NG (NN * NI)
#define NH (2 * NT)
#define QMAX NH
#define QAT(g, i) gl_q[(g) * QMAX + (i)]
//@fl glocks.state
byte gl_state[NG];                 /* UN, SH, DF or EX */
byte gl_demote[NG] = NO_DEMOTE;    /* gl_demote_state when GLF_DEMOTE is set */
byte gl_q[NG * QMAX];              /* holder ids, in queue order */
byte gl_qlen[NG];
byte h_mode[NH];
bit h_granted[NH];                 /* HIF_HOLDER */
bit h_maydemote[NH];               /* HIF_MAY_DEMOTE (5.16) */
bit h_queued[NH];                  /* on a glock's queue (gfs2_holder_queued) */
#define SKIP_MAYDEMOTE {{#v516}}1{{/v516}}{{^v516}}0{{/v516}}  /* 5.16: the recursion check skips may-demote holders */

/* DLM compatibility between two nodes' states: SH with SH, DF with DF, EX with nothing */
//@fl glocks.COMPAT
#define COMPAT(a, b) ((a) == UN || (b) == UN || ((a) == (b) && (a) != EX))
//@fl glocks.LOCAL_SHARE
#define LOCAL_SHARE(a, b) ((a) == (b) && (a) != EX)
/* the state another node must demote to so that m can be granted here (gdlm_bast) */
//@fl glocks.DEMOTE_TARGET
#define DEMOTE_TARGET(m) ((m) == EX -> UN : (m))
/* may_grant (v5.16): against a current (strong, granted) holder cur, or the glock state when cur is NO_HOLDER */
#define CUR_MODE(cur) h_mode[((cur) == NO_HOLDER -> 0 : (cur))]
//@fl glocks.MAY_GRANT
#define MAY_GRANT(g, cur, m) ((cur) != NO_HOLDER -> (CUR_MODE(cur) != EX && (m) == CUR_MODE(cur)) : (gl_state[g] == (m) || (gl_state[g] == EX && (m) != EX)))

hidden byte rs_round, rs_nd, rs_ino;
hidden byte rq_g, rq_i, rq_o, rq_og, rq_h, rq_n;
hidden byte rq_lvl, rq_dem, rq_cur, rq_demoted, rq_changed, rs_any;
hidden byte sd_i, sd_j, sd_h, sd_n, sd_len, sd_g, sd_cur, sd_mock, sk_i, sk_n;
hidden byte nq_g, nq_i, nq_h, nq_ino, nq_mode, nq_try, nq_res, trap_recursive;
hidden byte dq_g, dq_i, dq_h, dq_ino;
//@if rfc
hidden byte ta_i;
hidden byte ta_state[NG];
hidden byte ta_demote[NG];
hidden byte ta_q[NG * QMAX];
hidden byte ta_qlen[NG];
hidden byte ta_mode[NH];
hidden byte ta_gr[NH];
hidden byte ta_md[NH];
hidden byte ta_qd[NH];
//@end

/* how many holders of glock rq_g are granted → sk_n */
//@fl glocks.gl_count_granted
inline gl_count_granted() {
  sk_i = 0; sk_n = 0;
  do :: sk_i < gl_qlen[rq_g] -> if :: h_granted[QAT(rq_g, sk_i)] -> sk_n++ :: else fi; sk_i++ :: else -> break od
}

/* find_first_strong_holder (v5.16) of glock g: the first granted holder not marked may-demote → sd_cur (NO_HOLDER) */
//@fl glocks.gl_first_strong
inline gl_first_strong(g) {
  sd_cur = NO_HOLDER; sd_i = 0;
  do
  :: sd_i < gl_qlen[g] && h_granted[QAT(g, sd_i)] -> if :: !h_maydemote[QAT(g, sd_i)] -> sd_cur = QAT(g, sd_i); break :: else -> sd_i++ fi
  :: else -> break
  od
}

/*
 * demote_incompat_holders (v5.16) on glock sd_g: dequeue the granted weak
 * holders that may_grant does not let share with holder sd_cur (the strong
 * holder do_promote compared with, or NO_HOLDER), or with a mock holder in
 * mode sd_mock (gfs2_glock_cb; ANY_MODE: __gfs2_glock_dq drops them all).
 * Their tasks find them gone. → sd_n
 */
//@fl glocks.gl_drop_weak
inline gl_drop_weak() {
  sd_i = 0; sd_j = 0; sd_n = 0; sd_len = gl_qlen[sd_g];
  do
  :: sd_i < sd_len ->
       sd_h = QAT(sd_g, sd_i);
       if
       :: h_granted[sd_h] && h_maydemote[sd_h] &&
          (sd_mock == ANY_MODE || (sd_mock == VS_CURRENT && !MAY_GRANT(sd_g, sd_cur, h_mode[sd_h])) || (sd_mock < ANY_MODE && !LOCAL_SHARE(sd_mock, h_mode[sd_h]))) ->
            h_queued[sd_h] = 0; h_granted[sd_h] = 0; h_maydemote[sd_h] = 0; sd_n++
       :: else -> QAT(sd_g, sd_j) = sd_h; sd_j++
       fi;
       sd_i++
  :: else -> break
  od;
  gl_qlen[sd_g] = sd_j;
  do :: sd_j < sd_len -> QAT(sd_g, sd_j) = 0; sd_j++ :: else -> break od
}

/*
 * run_queue (src/kernel/glock.ts: runQueue) on glock rq_g; rq_changed when
 * anything changed. A pending demote waits for every granted holder, weak
 * or strong; with none left, the state goes down and promotion waits for
 * the next pass. Otherwise do_promote: waiters are granted in FIFO order
 * while may_grant allows, against the first strong holder (none: the
 * glock state); the first grant calls demote_incompat_holders with that
 * strong holder, not the new one (v5.16). A waiter refused at the head
 * changes the state (do_xmote) if no other node's state conflicts, else
 * those nodes get a demote request (gfs2_glock_cb: with no strong holder
 * there, their weak holders incompatible with the request go first); a
 * waiter refused anywhere else waits.
 */
//@fl glocks.gl_run_queue
inline gl_run_queue() {
  if
  :: gl_demote[rq_g] != NO_DEMOTE ->
       gl_count_granted();
       if :: sk_n == 0 -> gl_state[rq_g] = gl_demote[rq_g]; gl_demote[rq_g] = NO_DEMOTE; rq_changed = 1 :: else fi
  :: else ->
       rq_lvl = 0; rq_dem = 0; rq_i = 0; rq_demoted = 0;
       gl_first_strong(rq_g); rq_cur = sd_cur;
       do
       :: rq_i >= gl_qlen[rq_g] -> break
       :: else ->
            rq_h = QAT(rq_g, rq_i);
            if
            :: h_granted[rq_h] -> rq_i++
            :: !h_granted[rq_h] && MAY_GRANT(rq_g, rq_cur, h_mode[rq_h]) ->
                 if
                 :: !rq_demoted ->
                      sd_g = rq_g; sd_cur = rq_cur; sd_mock = VS_CURRENT; gl_drop_weak();
                      rq_i = rq_i - sd_n; rq_demoted = 1; rq_cur = rq_h
                 :: else
                 fi;
                 h_granted[rq_h] = 1; rq_lvl = 1; rq_i++
            :: else ->
                 if
                 :: rq_i == 0 ->
                      /* head of the queue, nothing granted: do_xmote, if the DLM allows */
                      rq_n = 0; rq_o = 0;
                      do
                      :: rq_o < NN ->
                           rq_og = rq_o * NI + rq_g % NI;
                           if
                           :: rq_o != rq_g / NI && !COMPAT(gl_state[rq_og], h_mode[rq_h]) ->
                                rq_n++;
                                if
//@fl glocks.gfs2_glock_cb
                                :: gl_demote[rq_og] == NO_DEMOTE ->
                                     gl_demote[rq_og] = DEMOTE_TARGET(h_mode[rq_h]); rq_dem = 1;
                                     gl_first_strong(rq_og);
                                     if
                                     :: sd_cur == NO_HOLDER -> sd_g = rq_og; sd_mock = (h_mode[rq_h] == EX -> EX : h_mode[rq_h]); gl_drop_weak()
                                     :: else
                                     fi
                                :: else
                                fi
                           :: else
                           fi;
                           rq_o++
                      :: else -> break
                      od;
                      if
                      :: rq_n == 0 -> gl_state[rq_g] = h_mode[rq_h]; h_granted[rq_h] = 1; rq_lvl = 1; rq_cur = rq_h; rq_i++
                      :: else -> break
                      fi
                 :: else -> break
                 fi
            fi
       od;
       if :: rq_lvl || rq_dem -> rq_changed = 1 :: else fi
  fi
}

/* runGlockQueues: run_queue for inode rs_ino on every node, to a fixed point */
//@fl glocks.gl_run_queues
inline gl_run_queues() {
  rs_round = 0;
  do
  :: rs_round < 4 * NN + 4 ->
       rs_any = 0; rs_nd = 0;
       do
       :: rs_nd < NN -> rq_g = rs_nd * NI + rs_ino; rq_changed = 0; gl_run_queue(); if :: rq_changed -> rs_any = 1 :: else fi; rs_nd++
       :: else -> break
       od;
       if :: !rs_any -> break :: else -> rs_round++ fi
  :: else -> break
  od
}

//@if rfc
/* LM_FLAG_TRY: a holder that cannot be granted at once leaves no trace (GLR_TRYFAILED) */
inline gl_save_all() {
  ta_i = 0; do :: ta_i < NG -> ta_state[ta_i] = gl_state[ta_i]; ta_demote[ta_i] = gl_demote[ta_i]; ta_qlen[ta_i] = gl_qlen[ta_i]; ta_i++ :: else -> break od;
  ta_i = 0; do :: ta_i < NG * QMAX -> ta_q[ta_i] = gl_q[ta_i]; ta_i++ :: else -> break od;
  ta_i = 0; do :: ta_i < NH -> ta_mode[ta_i] = h_mode[ta_i]; ta_gr[ta_i] = h_granted[ta_i]; ta_md[ta_i] = h_maydemote[ta_i]; ta_qd[ta_i] = h_queued[ta_i]; ta_i++ :: else -> break od
}
inline gl_restore_all() {
  ta_i = 0; do :: ta_i < NG -> gl_state[ta_i] = ta_state[ta_i]; gl_demote[ta_i] = ta_demote[ta_i]; gl_qlen[ta_i] = ta_qlen[ta_i]; ta_i++ :: else -> break od;
  ta_i = 0; do :: ta_i < NG * QMAX -> gl_q[ta_i] = ta_q[ta_i]; ta_i++ :: else -> break od;
  ta_i = 0; do :: ta_i < NH -> h_mode[ta_i] = ta_mode[ta_i]; h_granted[ta_i] = ta_gr[ta_i]; h_maydemote[ta_i] = ta_md[ta_i]; h_queued[ta_i] = ta_qd[ta_i]; ta_i++ :: else -> break od
}

//@end
#define NQ_BUG 4

/* gfs2_glock_nq for holder nq_h on (this node, nq_ino) in nq_mode (LM_FLAG_TRY when nq_try) → nq_res */
//@fl glocks.glock_nq
inline glock_nq() {
  gm_op = GM_NQ; gm_t = t; gm_node = node; gm_req!0; gm_rep?_;
  if
  :: nq_res == NQ_BUG ->
       /* kernel BUG at fs/gfs2/glock.c: add_to_queue → trap_recursive: this task already has a holder on the glock */
       trap_recursive = 1;
//@fl glocks.BUG
       assert(!trap_recursive);
       stopped = 1; goto stop
  :: else
  fi
}

/* gfs2_glock_dq of holder dq_h on (this node, dq_ino) */
//@fl glocks.glock_dq
inline glock_dq() {
  gm_op = GM_DQ; gm_t = t; gm_node = node; gm_req!0; gm_rep?_
}
//@if v516

/* gfs2_holder_allow_demote / gfs2_holder_disallow_demote (5.16) on holder h of inode i */
//@fl glocks.set_may_demote
inline set_may_demote(h, v, i) {
  gm_op = GM_MAYDEMOTE; gm_t = t; gm_node = node; dq_h = h; gm_v = v; dq_ino = i; gm_req!0; gm_rep?_
}
//@end

/*
 * add_to_queue: the recursion check looks at every queued holder, granted or
 * waiting, whatever its mode: a second holder for the same task is
 * trap_recursive, which prints both holders and calls BUG(){{#v516}} (5.16: may-demote holders are skipped){{/v516}}.
 * gfs2_glock_dq drops the holder. Then the queues of the inode run.
 * GM_UP releases a sleeping lock and hands it over.
 */
proctype lock_manager() {
end_idle:
  do
  :: atomic { gm_req?_ ->
       if
//@fl glocks.GM_NQ
       :: gm_op == GM_NQ ->
            nq_g = gm_node * NI + nq_ino; nq_res = 0; nq_i = 0;
            do
            :: nq_i < gl_qlen[nq_g] ->
                 if :: QAT(nq_g, nq_i) / 2 == gm_t && !(SKIP_MAYDEMOTE && h_maydemote[QAT(nq_g, nq_i)]) -> nq_res = NQ_BUG :: else fi;
                 nq_i++
            :: else -> break
            od;
            if
            :: nq_res != NQ_BUG ->
//@if rfc
                 if :: nq_try -> gl_save_all() :: else fi;
//@end
                 QAT(nq_g, gl_qlen[nq_g]) = nq_h; gl_qlen[nq_g]++;
                 h_mode[nq_h] = nq_mode; h_granted[nq_h] = 0; h_maydemote[nq_h] = 0; h_queued[nq_h] = 1;
                 rs_ino = nq_ino
            :: else
            fi
//@fl glocks.GM_DQ
       :: gm_op == GM_DQ ->
            dq_g = gm_node * NI + dq_ino; dq_i = 0;
            do :: dq_i < gl_qlen[dq_g] && QAT(dq_g, dq_i) != dq_h -> dq_i++ :: else -> break od;
            do :: dq_i + 1 < gl_qlen[dq_g] -> QAT(dq_g, dq_i) = QAT(dq_g, dq_i + 1); dq_i++ :: else -> break od;
            gl_qlen[dq_g]--; QAT(dq_g, gl_qlen[dq_g]) = 0;
            h_queued[dq_h] = 0; h_granted[dq_h] = 0; h_maydemote[dq_h] = 0;
            /* __gfs2_glock_dq (v5.16): a demote pending and no strong holder left → the weak ones go too */
            if
            :: gl_demote[dq_g] != NO_DEMOTE -> gl_first_strong(dq_g); if :: sd_cur == NO_HOLDER -> sd_g = dq_g; sd_mock = ANY_MODE; gl_drop_weak() :: else fi
            :: else
            fi;
            rs_ino = dq_ino
//@fl glocks.GM_MAYDEMOTE
       :: gm_op == GM_MAYDEMOTE -> h_maydemote[dq_h] = gm_v   /* only the bit: no queue runs (glock.h) */
       :: gm_op == GM_UP -> lock_release()
       fi;
       if :: !(gm_op == GM_NQ && nq_res == NQ_BUG) && gm_op != GM_UP && gm_op != GM_MAYDEMOTE -> gl_run_queues() :: else fi;
       if
       :: gm_op == GM_NQ && nq_res != NQ_BUG ->
            if
            :: h_granted[nq_h] -> nq_res = NQ_GRANTED
//@if rfc
            :: else -> if :: nq_try -> gl_restore_all(); nq_res = NQ_TRYFAILED :: else -> nq_res = NQ_QUEUED fi
//@else
            :: else -> nq_res = NQ_QUEUED
//@end
            fi
       :: else
       fi;
       gm_rep!0 }
  od
}
