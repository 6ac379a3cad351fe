/** Turn a scenario into the initial kernel and tasks the simulator runs. */
import { newGlock } from '../kernel/glock.ts';
import type { LockRef } from '../kernel/locks.ts';
import { UNLOCKED } from '../kernel/sleeplock.ts';
import { ZEROES, type Block, type Inode, type KernelState, type Mm, type NamedLock, type Page, type Pte, type VmFault } from '../kernel/state.ts';
import type { SystemSetup } from '../sim/system.ts';
import type { Syscall } from '../threads/types.ts';
import type { FaultSpec, LockTargetSpec, Scenario, SyscallSpec } from './types.ts';

export const DEFAULT_FREE_BLOCKS = 4;

/** What a file page holds on disk: `F1:1` is file F1, page 1. */
export function diskTag(file: string, index: number): string {
  return `${file}:${index}`;
}

function inoOf(scenario: Scenario, name: string): number {
  const ino = scenario.files.findIndex((f) => f.name === name);
  if (ino < 0) throw new Error(`no file ${name}`);
  return ino;
}

/** The kernel lock a `lock` entry or fault lock names; `mm` is the process whose mmap_lock `mmap_lock` means. */
export function lockRefOf(scenario: Scenario, target: LockTargetSpec, mm: number): LockRef {
  switch (target.kind) {
    case 'named': {
      const index = (scenario.locks ?? []).findIndex((l) => l.name === target.name);
      if (index < 0) throw new Error(`no lock ${target.name}`);
      return { kind: 'named', index };
    }
    case 'mmap_lock':
      return { kind: 'mmap_sem', mm };
    default:
      return { kind: target.kind, ino: inoOf(scenario, target.file) };
  }
}

function toSyscall(scenario: Scenario, spec: SyscallSpec, mm: number): Syscall {
  switch (spec.call) {
    case 'pread':
    case 'pwrite':
      return { call: spec.call, ino: inoOf(scenario, spec.file), pos: spec.pos, len: spec.len, buf: spec.buf, direct: spec.direct === true };
    case 'truncate':
      return { call: 'truncate', ino: inoOf(scenario, spec.file), size: spec.size };
    case 'punch':
      return { call: 'punch', ino: inoOf(scenario, spec.file), pos: spec.pos, len: spec.len };
    case 'mmap':
      return { call: 'mmap', ino: inoOf(scenario, spec.file), pgoff: spec.pgoff, len: spec.len, at: spec.at, shared: spec.shared };
    case 'touch':
      return { call: 'touch', vpage: spec.vpage, write: spec.write };
    case 'lock':
      return { call: 'lock', lock: lockRefOf(scenario, spec.lock, mm), write: spec.write, at: spec.at ?? 'lock', body: spec.body.map((s) => toSyscall(scenario, s, mm)) };
    case 'copy':
      return { call: 'copy', buf: spec.buf, write: spec.write, at: spec.at ?? 'copy' };
  }
}

function namedLocks(scenario: Scenario): readonly NamedLock[] | undefined {
  if (scenario.locks === undefined || scenario.locks.length === 0) return undefined;
  return scenario.locks.map((l) => ({ name: l.name, lockClass: l.class ?? l.name, rwsem: l.kind === 'rwsem', lock: UNLOCKED }));
}

function vmFault(scenario: Scenario, spec: FaultSpec, mm: number): VmFault {
  return { handler: spec.handler, locks: spec.locks.map((l) => ({ lock: lockRefOf(scenario, l.lock, mm), write: l.write, at: l.at ?? spec.handler })) };
}

/**
 * What an earlier read fault left in the page table: a read-only PTE to the
 * page-cache page (do_read_fault → set_pte read-only, mm/memory.c), or on
 * DAX to the block itself (dax_insert_mapping, fs/dax.c) unless the page is
 * a hole page, which is mapped like a page-cache page. Validation has made
 * sure the page is there.
 */
function faultedPte(scenario: Scenario, inodes: readonly Inode[], ino: number, index: number): Pte | null {
  const inode = inodes[ino];
  const block = inode?.map[index];
  if (scenario.fs === 'ext2-dax' && block !== null && block !== undefined) return { kind: 'dax', block, writable: false };
  const page = inode?.cache[index];
  return page === null || page === undefined ? null : { kind: 'page', page, writable: false };
}

export function buildSetup(scenario: Scenario): SystemSetup {
  const blocks: Block[] = [];
  const pages: Page[] = [];
  const inodes: Inode[] = scenario.files.map((file, ino) => {
    const map = file.pages.map((state, index) => {
      if (state === 'hole' || state === 'hole-cached') return null;
      blocks.push({ owner: { ino, index }, fresh: false, content: diskTag(file.name, index) });
      return blocks.length - 1;
    });
    const cache = file.pages.map((state, index) => {
      if (state !== 'cached' && state !== 'hole-cached') return null;
      pages.push({ mapping: ino, index, lock: UNLOCKED, uptodate: true, refs: 0, content: state === 'cached' ? diskTag(file.name, index) : ZEROES });
      return pages.length - 1;
    });
    return {
      name: file.name,
      size: file.pages.length * 4096,
      map,
      shortExtents: file.shortExtents ?? [],
      cache,
      i_rwsem: UNLOCKED,
      i_mmap: UNLOCKED,
      invalidate_lock: UNLOCKED,
    };
  });
  for (let i = 0; i < (scenario.freeBlocks ?? DEFAULT_FREE_BLOCKS); i++) blocks.push({ owner: null, fresh: false, content: 'stale' });

  const processes = Math.max(0, ...scenario.tasks.map((t) => t.process), ...scenario.mappings.map((m) => m.process)) + 1;
  const mms: Mm[] = Array.from({ length: processes }, () => ({ mmap_sem: UNLOCKED, vmas: [], ptes: [] }));
  for (const m of scenario.mappings) {
    const mm = mms[m.process];
    if (mm === undefined) continue;
    const ino = inoOf(scenario, m.file);
    const ptes = mm.ptes.slice();
    for (const vpage of m.faulted ?? []) {
      while (ptes.length <= vpage) ptes.push(null);
      ptes[vpage] = faultedPte(scenario, inodes, ino, (m.pgoff ?? 0) + vpage - m.at);
    }
    const vma = { start: m.at, pages: m.pages, ino, pgoff: m.pgoff ?? 0, shared: m.shared };
    mms[m.process] = { ...mm, vmas: [...mm.vmas, m.fault === undefined ? vma : { ...vma, fault: vmFault(scenario, m.fault, m.process) }], ptes };
  }
  const nodes = scenario.nodes ?? 1;
  const glocks = scenario.fs === 'gfs2' ? Array.from({ length: nodes * inodes.length }, (_, i) => newGlock(Math.floor(i / inodes.length), i % inodes.length)) : [];
  const named = namedLocks(scenario);
  const kernel: KernelState = { inodes, pages, blocks, mms, glocks, nodes, ...(named !== undefined ? { named } : {}) };
  return {
    kernel,
    tasks: scenario.tasks.map((t) => ({ pid: t.pid, mm: t.process, node: t.node ?? 0, program: t.program.map((s) => toSyscall(scenario, s, t.process)) })),
  };
}

/** What a file page holds now: its page-cache page, else its block, else zeroes (a hole). */
export function filePageContent(kernel: KernelState, ino: number, index: number): string {
  const inode = kernel.inodes[ino];
  const page = inode?.cache[index];
  if (page !== null && page !== undefined) return kernel.pages[page]?.content ?? ZEROES;
  const block = inode?.map[index];
  return block !== null && block !== undefined ? (kernel.blocks[block]?.content ?? ZEROES) : ZEROES;
}
