/**
 * Claims: for each task, an over-approximation of the footprint
 * (sim/footprint.ts) of every step it may still take, read from what it has
 * left to run. The footprint reduction (reduce.ts) takes a step alone only
 * when it conflicts with no other task's claim, so a claim that misses
 * something a task's later step touches is unsound. Claims are therefore
 * checked, not trusted: with `checkFootprints` the explorer records every
 * step it takes and fails (a model error naming the step and the key) when a
 * step touched a key outside its task's claim at that state. The explorer
 * tests run that check over the full and the reduced search of every preset
 * and variant, so every step any preset can take is held to its claim. A
 * scenario from the editor or a link can reach a path no preset takes; the
 * check is off there (it records every step), so what holds it is only that
 * the claims below are written per kind of access, not per preset. The
 * functions named are the model's steps (src/threads), not read anew from
 * the kernel for this file.
 *
 * A claim is a function of the task's own progress only: the syscalls from
 * the one it is in (program counter of its `task` frame) to the last, and
 * nothing once it has exited. It only shrinks as the task runs, so a claim
 * at a state covers every later step of that task, whatever the others do.
 *
 * What a syscall may touch, deliberately coarse where the kernel decides at
 * run time which object it will be:
 * - its own process: mmap_sem, VMAs and every PTE of its mm (read, write);
 * - the files it names, and every file mapped in its process (a user copy
 *   can fault on any of them; `mmap` calls of its process's tasks count):
 *   its pages and its glock on every node, and of the inode what that kind
 *   of access may change (`ACCESS`: a fault never takes i_rwsem, only a
 *   write fault, pwrite, truncate and punch allocate or free blocks, only
 *   pwrite and truncate change i_size);
 * - free page frames and free blocks, and the tables' lengths: any syscall
 *   may allocate (read, write);
 * - to read: every inode, every page and block of every file (the allocators scan for a
 *   free one: pagecache.ts freePageFrame, blocks.ts allocateBlock), every
 *   PTE and VMA list of every process (freePageFrame asks page_mapped;
 *   the invariants read a PTE's target);
 * - every named lock (lockdep imports: a reported fault handler's locks);
 * - the PTEs of other processes only where the kernel zaps them: those in
 *   every VMA mapping a file it truncates or punches (unmap_mapping_range),
 *   reads or writes with O_DIRECT (iomap's invalidation, unmap_mapping_pages),
 *   or, on DAX, writes through (dax_iomap_rw's invalidation) or write-faults
 *   on (__dax_fault unmaps the hole page before mapping the block).
 */
import type { Pid } from '../../kernel/ids.ts';
import type { LockRef } from '../../kernel/state.ts';
import { ANY, FREE, INODE_FIELDS, K_BLOCK, K_GLOCK, K_INODE, K_MM, K_NAMED, K_PAGE, K_PTE, K_TABLE, MM_MMAP_SEM, MM_VMAS, aOf, bOf, key, kindOf, type Footprint } from '../footprint.ts';
import { regsOf, type Syscall } from '../../threads/types.ts';
import type { SimTask, SystemState } from '../system.ts';

export interface Claim {
  /** Keys it may write (and read). `ANY` in a or b stands for every value there. */
  readonly writes: ReadonlySet<number>;
  /** Keys it may only read. */
  readonly reads: ReadonlySet<number>;
}

const NOTHING: Claim = { writes: new Set(), reads: new Set() };

function has(set: ReadonlySet<number>, k: number): boolean {
  if (set.has(k)) return true;
  const kind = kindOf(k);
  return set.has(key(kind, aOf(k), ANY)) || set.has(key(kind, ANY, bOf(k))) || set.has(key(kind, ANY, ANY));
}

/** A key of `fp` that `claim` does not cover, or -1. */
export function outsideClaim(fp: Footprint, claim: Claim): number {
  for (const w of fp.writes) if (!has(claim.writes, w)) return w;
  for (const r of fp.reads) if (!has(claim.writes, r) && !has(claim.reads, r)) return r;
  return -1;
}

/** Does a step with footprint `fp` conflict with a task that may still do what `claim` says (a write on either side)? */
export function conflicts(fp: Footprint, claim: Claim): boolean {
  for (const w of fp.writes) if (has(claim.writes, w) || has(claim.reads, w)) return true;
  for (const r of fp.reads) if (has(claim.writes, r)) return true;
  return false;
}

/** Do two recorded footprints conflict (one writes what the other reads or writes)? */
export function footprintsConflict(a: Footprint, b: Footprint): boolean {
  const bw = new Set(b.writes);
  const br = new Set(b.reads);
  for (const w of a.writes) if (bw.has(w) || br.has(w)) return true;
  for (const r of a.reads) if (bw.has(r)) return true;
  return false;
}

/** A user-page range of a file in one process. */
interface Mapped {
  readonly mm: number;
  readonly ino: number;
  readonly start: number;
  readonly pages: number;
}

export interface Claims {
  /** The claim of `task` at a state: what every step it may still take may touch. */
  of(task: SimTask): Claim;
}

/** Claims for the tasks of a system, as its initial state sets them up. */
export function createClaims(initial: SystemState): Claims {
  const kernel = initial.kernel;
  const dax = initial.flags.fs === 'ext2-dax';
  // Every file range any process maps, now or after an mmap its tasks will make.
  const mapped: Mapped[] = [];
  kernel.mms.forEach((mm, id) => {
    for (const v of mm.vmas) mapped.push({ mm: id, ino: v.ino, start: v.start, pages: v.pages });
  });
  const walk = (calls: readonly Syscall[], visit: (sys: Syscall) => void): void => {
    for (const sys of calls) {
      visit(sys);
      if (sys.call === 'lock') walk(sys.body, visit);
    }
  };
  for (const task of initial.tasks) {
    walk(task.program, (sys) => {
      if (sys.call === 'mmap') mapped.push({ mm: task.mm, ino: sys.ino, start: sys.at, pages: sys.len });
    });
  }
  const filesOf = (mm: number): number[] => [...new Set(mapped.filter((m) => m.mm === mm).map((m) => m.ino))];
  // Locks a reported fault handler takes (Vma.fault), per process.
  const faultLocks = (mm: number): LockRef[] => (kernel.mms[mm]?.vmas ?? []).flatMap((v) => (v.fault?.locks ?? []).map((l) => l.lock));

  const everyone = (writes: Set<number>, reads: Set<number>, mm: number): void => {
    writes.add(key(K_MM, mm, ANY));
    writes.add(key(K_PTE, mm, ANY));
    writes.add(key(K_PAGE, FREE, ANY));
    writes.add(key(K_BLOCK, FREE, 0));
    writes.add(key(K_TABLE, ANY, 0));
    writes.add(key(K_NAMED, ANY, 0));
    reads.add(key(K_PAGE, ANY, ANY));
    reads.add(key(K_BLOCK, ANY, 0));
    reads.add(key(K_PTE, ANY, ANY));
    reads.add(key(K_MM, ANY, MM_VMAS));
    reads.add(key(K_INODE, ANY, ANY));
  };
  // What each kind of access to a file may write of it. Every one may add,
  // lock and release its pages and take its glock. A fault takes
  // invalidate_lock (5.15+, XFS's i_mmaplock) and, on DAX, i_mmap
  // (__dax_fault), never i_rwsem but in the variant that models the DAX
  // fault taking i_mutex (dax-imutex-fault); only a write fault allocates blocks
  // (block map, blocks). A syscall may take i_rwsem and i_mmap (the
  // invalidation around direct I/O); only pwrite, truncate and punch change
  // the block map and blocks, only pwrite and truncate i_size. The short
  // extents never change.
  const DAX_FAULT = ['i_mmap', 'i_rwsem'] as const;
  const fields = (...names: (typeof INODE_FIELDS)[number][]): number[] => names.map((n) => INODE_FIELDS.indexOf(n));
  const ACCESS = {
    'fault-read': { fields: fields('cache', 'invalidate_lock', ...(dax ? DAX_FAULT : [])), blocks: false },
    'fault-write': { fields: fields('cache', 'invalidate_lock', 'map', ...(dax ? DAX_FAULT : [])), blocks: true },
    mmap: { fields: [], blocks: false },
    read: { fields: fields('cache', 'i_rwsem', 'i_mmap', 'invalidate_lock'), blocks: false },
    punch: { fields: fields('cache', 'i_rwsem', 'i_mmap', 'invalidate_lock', 'map'), blocks: true },
    write: { fields: fields('size', 'cache', 'i_rwsem', 'i_mmap', 'invalidate_lock', 'map'), blocks: true },
  } as const;
  const file = (writes: Set<number>, ino: number, access: keyof typeof ACCESS): void => {
    for (const f of ACCESS[access].fields) writes.add(key(K_INODE, ino, f));
    writes.add(key(K_PAGE, ino, ANY));
    writes.add(key(K_GLOCK, ino, ANY));
    if (ACCESS[access].blocks) writes.add(key(K_BLOCK, ino, 0));
  };
  const unmaps = (writes: Set<number>, ino: number): void => {
    for (const m of mapped) if (m.ino === ino) for (let v = m.start; v < m.start + m.pages; v++) writes.add(key(K_PTE, m.mm, v));
  };
  const lock = (writes: Set<number>, ref: LockRef): void => {
    switch (ref.kind) {
      case 'i_rwsem':
      case 'i_mmap':
      case 'invalidate_lock':
        writes.add(key(K_INODE, ref.ino, INODE_FIELDS.indexOf(ref.kind)));
        return;
      case 'mmap_sem':
        writes.add(key(K_MM, ref.mm, MM_MMAP_SEM));
        return;
      case 'page':
        writes.add(key(K_PAGE, ANY, ANY));
        return;
      case 'glock':
        writes.add(key(K_GLOCK, ref.ino, ref.node));
        return;
      case 'named':
        writes.add(key(K_NAMED, ref.index, 0));
        return;
    }
  };
  const syscall = (writes: Set<number>, sys: Syscall, mm: number): void => {
    // A syscall that touches user memory may fault on any file its process maps.
    const userFiles = filesOf(mm);
    const touchesUser = sys.call === 'pread' || sys.call === 'pwrite' || sys.call === 'touch' || sys.call === 'copy';
    // A user copy into user memory is a write fault there (pread fills its buffer).
    const writesUser = (sys.call === 'touch' && sys.write) || (sys.call === 'copy' && sys.write) || sys.call === 'pread';
    if (touchesUser) {
      for (const ino of userFiles) file(writes, ino, writesUser ? 'fault-write' : 'fault-read');
      for (const ref of faultLocks(mm)) lock(writes, ref);
    }
    if (dax && writesUser) for (const ino of userFiles) unmaps(writes, ino);
    switch (sys.call) {
      case 'pread':
      case 'pwrite':
        file(writes, sys.ino, sys.call === 'pwrite' ? 'write' : 'read');
        if (sys.direct || (dax && sys.call === 'pwrite')) unmaps(writes, sys.ino);
        return;
      case 'truncate':
      case 'punch':
        file(writes, sys.ino, sys.call === 'truncate' ? 'write' : 'punch');
        unmaps(writes, sys.ino);
        return;
      case 'mmap':
        // do_mmap changes its own process's VMAs, and gfs2_mmap takes the glock.
        file(writes, sys.ino, 'mmap');
        return;
      case 'lock':
        lock(writes, sys.lock);
        for (const inner of sys.body) syscall(writes, inner, mm);
        return;
      case 'touch':
      case 'copy':
        return;
    }
  };

  const cache = new Map<Pid, Claim[]>();
  const claimAt = (pid: Pid, mm: number, program: readonly Syscall[], pc: number): Claim => {
    let mine = cache.get(pid);
    if (mine === undefined) {
      mine = [];
      cache.set(pid, mine);
    }
    let claim = mine[pc];
    if (claim === undefined) {
      const writes = new Set<number>();
      const reads = new Set<number>();
      everyone(writes, reads, mm);
      for (let i = pc; i < program.length; i++) {
        const sys = program[i];
        if (sys !== undefined) syscall(writes, sys, mm);
      }
      claim = { writes, reads };
      mine[pc] = claim;
    }
    return claim;
  };
  return {
    of: (task) => {
      // The bottom frame is the task's own (threads/task.ts): its pc is the program entry it is at.
      const bottom = regsOf(task.stack[0], 'task');
      if (bottom === undefined) return NOTHING;
      return claimAt(task.pid, task.mm, task.program, bottom.pc);
    },
  };
}
