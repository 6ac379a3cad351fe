/**
 * Invariants checked after every step. A broken one is an outcome of the
 * run (kernel-semantics.md §2), never an exception.
 */
import { PAGE_SIZE } from './ids.ts';
import { nodesCompatible, type Glock } from './glock.ts';
import { fileIndexOf } from './mm.ts';
import type { SleepLock } from './sleeplock.ts';
import { inodeName, sizeInPages, type KernelState } from './state.ts';

export type Broken =
  | { readonly kind: 'use-after-free'; readonly message: string }
  | { readonly kind: 'invariant-violation'; readonly message: string };

function sleepLockBroken(lock: SleepLock): string | null {
  if (lock.writer !== null && lock.readers.length > 0) return `held for write by pid ${lock.writer} and for read by ${lock.readers.join(', ')}`;
  // A holder that also waits is legal: it is a task sleeping on a lock it
  // holds (a self-deadlock), which the wait-for graph reports.
  return null;
}

function glockBroken(kernel: KernelState, gl: Glock): string | null {
  const granted = gl.holders.filter((h) => h.granted);
  if (granted.length > 0 && gl.state === 'UN') return 'holders granted while the glock is unlocked';
  // v5.16 do_promote compares a waiter with the strong holders only, so it may
  // grant one beside an incompatible weak (HIF_MAY_DEMOTE) holder ("holder
  // stealing", fs/gfs2/glock.c until 2022). Two strong holders that conflict
  // are what that leads to when the weak one is made strong again.
  const strong = granted.filter((h) => !h.mayDemote);
  if (strong.length > 1 && strong.some((h) => h.mode === 'EX')) return `EX holder shares the glock with ${strong.length - 1} other holder(s): ${strong.map((h) => `${h.mode} by pid ${h.pid}`).join(', ')}`;
  if (new Set(strong.map((h) => h.mode)).size > 1) return `holders granted in different modes: ${strong.map((h) => h.mode).join(', ')}`;
  for (const h of granted) {
    if (gl.state !== h.mode && gl.state !== 'EX') return `holder ${h.mode} granted under state ${gl.state}`;
  }
  for (let node = 0; node < kernel.nodes; node++) {
    const other = kernel.glocks[node * kernel.inodes.length + gl.ino];
    if (other !== undefined && other.node !== gl.node && !nodesCompatible(other.state, gl.state)) {
      return `node ${gl.node} holds ${gl.state} while node ${other.node} holds ${other.state}`;
    }
  }
  return null;
}

export function checkInvariants(kernel: KernelState): Broken | null {
  for (const inode of kernel.inodes) {
    for (const [name, lock] of [['i_rwsem', inode.i_rwsem], ['i_mmap', inode.i_mmap], ['invalidate_lock', inode.invalidate_lock]] as const) {
      const broken = sleepLockBroken(lock);
      if (broken !== null) return { kind: 'invariant-violation', message: `${name} of ${inode.name}: ${broken}` };
    }
  }
  for (const [id, mm] of kernel.mms.entries()) {
    const broken = sleepLockBroken(mm.mmap_sem);
    if (broken !== null) return { kind: 'invariant-violation', message: `mmap_sem of mm ${id}: ${broken}` };
  }
  for (const [id, page] of kernel.pages.entries()) {
    const broken = sleepLockBroken(page.lock);
    if (broken !== null) return { kind: 'invariant-violation', message: `page lock of page ${id}: ${broken}` };
  }
  for (const named of kernel.named ?? []) {
    const broken = sleepLockBroken(named.lock);
    if (broken !== null) return { kind: 'invariant-violation', message: `${named.lockClass}: ${broken}` };
    if (!named.rwsem && named.lock.readers.length > 0) return { kind: 'invariant-violation', message: `${named.lockClass} is a mutex but is held for read` };
  }
  for (const gl of kernel.glocks) {
    const broken = glockBroken(kernel, gl);
    if (broken !== null) return { kind: 'invariant-violation', message: `glock 2/${inodeName(kernel, gl.ino)} on node ${gl.node}: ${broken}` };
  }
  return checkPtes(kernel);
}

/** No PTE maps a free block, or a block now belonging to another file page; no PTE maps a truncated page. */
function checkPtes(kernel: KernelState): Broken | null {
  for (const [mmId, mm] of kernel.mms.entries()) {
    for (const vma of mm.vmas) {
      for (let vpage = vma.start; vpage < vma.start + vma.pages; vpage++) {
        const pte = mm.ptes[vpage];
        if (pte == null) continue;
        const index = fileIndexOf(vma, vpage);
        const where = `${inodeName(kernel, vma.ino)}:${index}`;
        if (pte.kind === 'dax') {
          const block = kernel.blocks[pte.block];
          if (block?.owner == null) {
            return { kind: 'use-after-free', message: `use-after-free of storage: mm ${mmId} user page ${vpage} (${where}) maps block ${pte.block}, which is free` };
          }
          if (block.owner.ino !== vma.ino || block.owner.index !== index) {
            return { kind: 'use-after-free', message: `use-after-free of storage: mm ${mmId} user page ${vpage} (${where}) maps block ${pte.block}, now ${inodeName(kernel, block.owner.ino)}:${block.owner.index}` };
          }
        }
        if (pte.kind === 'page' && kernel.pages[pte.page]?.mapping === null) {
          return { kind: 'invariant-violation', message: `mm ${mmId} user page ${vpage} (${where}) maps a page that truncate removed from the page cache` };
        }
      }
    }
  }
  return null;
}

/** Blocks still allocated at or past EOF: not a bug of the run, a leak the user should see. */
export function blocksPastEof(kernel: KernelState): readonly string[] {
  const leaks: string[] = [];
  for (const [id, block] of kernel.blocks.entries()) {
    const owner = block.owner;
    if (owner === null) continue;
    const inode = kernel.inodes[owner.ino];
    if (inode !== undefined && owner.index >= sizeInPages(inode, PAGE_SIZE)) leaks.push(`block ${id} allocated to ${inode.name}:${owner.index}, past EOF`);
  }
  return leaks;
}
