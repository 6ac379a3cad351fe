//@# Sleeping locks: mmap_lock, i_rwsem and page locks, as src/kernel/sleeplock.ts.
/* ---- sleeping locks (src/kernel/sleeplock.ts) -------------------------
 * mmap_lock (an rwsem per process), i_rwsem (per inode) and page locks
 * (PG_locked, per page frame): an owner, a reader count and a strictly FIFO
 * queue of sleepers. A reader that arrives while a writer waits queues
 * behind it (kernel/locking/rwsem.c: rwsem_down_read_slowpath); release
 * hands the lock to the head of the queue (one writer, or every reader up
 * to the first writer). No optimistic spinning, no lock stealing.
 */
#define MMAP_LOCK(m) (m)
#define I_RWSEM(i) (NM + (i))
#define PAGE_LOCK(p) (NM + NI + (p))
#define NL (NM + NI + NP)
//@fl sleep-locks.state
byte lk_writer[NL];    /* exclusive owner: task + 1, or 0 */
byte lk_readers[NL];   /* shared owners */
byte lk_wq[NL * NT];   /* sleepers, FIFO: (task << 1 | write) + 1 */
byte lk_wqlen[NL];
bit waiting[NT];       /* queued on a sleeping lock; the releaser clears it when it hands the lock over */
hidden byte lk_i, lk_w;

//@fl sleep-locks.CAN_GRANT
#define CAN_GRANT(l, wr) (lk_writer[l] == 0 && lk_wqlen[l] == 0 && (!(wr) || lk_readers[l] == 0))
//@fl sleep-locks.UNLOCKED
#define UNLOCKED(l) (lk_writer[l] == 0 && lk_readers[l] == 0)

/* down_read / down_write / lock_page: take it, or join the queue (then WAIT_UNTIL(!waiting[t])) */
//@fl sleep-locks.down
inline down(l, wr) {
  if
  :: CAN_GRANT(l, wr) -> if :: wr -> lk_writer[l] = t + 1 :: else -> lk_readers[l]++ fi
  :: else -> lk_wq[(l) * NT + lk_wqlen[l]] = ((t << 1) | (wr)) + 1; lk_wqlen[l]++; waiting[t] = 1
  fi
}

/* up_read / up_write / unlock_page (run by lock_manager, below, so that the hand-off code exists once) */
//@fl sleep-locks.up
inline up(l) {
  gm_op = GM_UP; gm_t = t; gm_l = l; gm_req!0; gm_rep?_
}

/* the release itself, and the hand-off to the head of the queue */
//@fl sleep-locks.lock_release
inline lock_release() {
  if :: lk_writer[gm_l] == gm_t + 1 -> lk_writer[gm_l] = 0 :: else -> lk_readers[gm_l]-- fi;
  do
  :: lk_wqlen[gm_l] > 0 && lk_writer[gm_l] == 0 && !(((lk_wq[gm_l * NT] - 1) & 1) && lk_readers[gm_l] > 0) ->
       lk_w = lk_wq[gm_l * NT] - 1;
       if :: (lk_w & 1) -> lk_writer[gm_l] = (lk_w >> 1) + 1 :: else -> lk_readers[gm_l]++ fi;
       waiting[lk_w >> 1] = 0;
       lk_i = 0;
       do :: lk_i + 1 < lk_wqlen[gm_l] -> lk_wq[gm_l * NT + lk_i] = lk_wq[gm_l * NT + lk_i + 1]; lk_i++ :: else -> break od;
       lk_wqlen[gm_l]--; lk_wq[gm_l * NT + lk_wqlen[gm_l]] = 0;
       if :: (lk_w & 1) -> break :: else fi
  :: else -> break
  od
}
