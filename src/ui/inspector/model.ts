/**
 * The kernel state inspector's data: every object of the simulated kernel
 * (kernel-semantics.md §2) as rows in kernel words, each marked `changed`
 * when it differs from the state one step earlier, so the view can show what
 * the last step did.
 *
 * Pure: reads a SystemState, returns plain data. Rows are built the same way
 * for both states and compared by key, so "changed" means exactly "this row
 * would read differently one step ago" and needs no knowledge of what the
 * step was.
 */
import { describeHolder, type GlockHolder, type GlockMode } from '../../kernel/glock.ts';
import type { Ino, Pid } from '../../kernel/ids.ts';
import { PAGE_SIZE } from '../../kernel/ids.ts';
import { lockName, type Era, type LockRef } from '../../kernel/locks.ts';
import { isLocked, type SleepLock } from '../../kernel/sleeplock.ts';
import { inodeName, sizeInPages, type KernelState, type Page, type Pte } from '../../kernel/state.ts';
import type { Filesystem } from '../../kernel/variants.ts';
import type { SystemState } from '../../sim/system.ts';

export interface Changeable {
  /** Stable identity across states: the row for the same kernel object has the same key. */
  readonly key: string;
  /** The row differs from the same row one step earlier (or is new). */
  readonly changed: boolean;
}

/** A stable id for a lock, shared by the inspector and the wait-for graph. */
export function lockKey(ref: LockRef): string {
  switch (ref.kind) {
    case 'mmap_sem':
      return `mmap_sem:${ref.mm}`;
    case 'page':
      return `page:${ref.page}`;
    case 'glock':
      return `glock:${ref.node}:${ref.ino}`;
    case 'named':
      return `named:${ref.index}`;
    default:
      return `${ref.kind}:${ref.ino}`;
  }
}

export type LockType = 'mutex' | 'rwsem' | 'page lock' | 'glock';

export interface LockOwner {
  readonly pid: Pid;
  /** 'read' / 'write' for an rwsem, 'SH' / 'DF' / 'EX' for a glock holder, null for a mutex or page lock. */
  readonly mode: string | null;
  /** Glock holders: the function that queued the holder (gh_ip), as the BUG report names it. */
  readonly caller: string | null;
  /** Glock holders: the dump_holder line ("H: s:SH f:H e:0 p:101 gfs2_file_read_iter"). */
  readonly detail: string | null;
}

export interface GlockInfo {
  readonly node: number;
  /** The node's cached state of the glock. */
  readonly state: GlockMode;
  /** A demote another node asked for (GLF_DEMOTE), or null. */
  readonly demote: GlockMode | null;
}

export interface LockRow extends Changeable {
  readonly ref: LockRef;
  readonly name: string;
  readonly type: LockType;
  readonly glock: GlockInfo | null;
  /** Granted, in grant order. */
  readonly holders: readonly LockOwner[];
  /** Sleepers (or queued glock holders), strictly FIFO. */
  readonly waiters: readonly LockOwner[];
  readonly idle: boolean;
  /** One line: "held DF by pid 101; waiting: pid 102 (SH)". */
  readonly summary: string;
}

export interface CachedPageRow extends Changeable {
  readonly index: number;
  /** Page frame number in the model, or null when the slot was emptied by this step. */
  readonly page: number | null;
  readonly lockedBy: Pid | null;
  readonly waiters: readonly Pid[];
  readonly uptodate: boolean;
  /** page->mapping: the file's name, or null (NULL: truncate removed it). */
  readonly mapping: string | null;
  readonly refs: number;
  readonly content: string;
}

export interface FileCache {
  readonly ino: Ino;
  readonly file: string;
  readonly pages: readonly CachedPageRow[];
}

export interface BlockRow extends Changeable {
  readonly block: number;
  /** "F:1", or null when free. */
  readonly owner: string | null;
  /** buffer_new: allocated, not yet zeroed. */
  readonly fresh: boolean;
  readonly content: string;
  /** User PTEs that map the block directly (DAX): "mm 0 user page 1". */
  readonly mappedBy: readonly string[];
}

export interface VmaRow extends Changeable {
  readonly start: number;
  readonly pages: number;
  readonly file: string;
  readonly pgoff: number;
  readonly shared: boolean;
}

export type PteTarget = 'page' | 'dax' | 'anon' | 'none';

export interface PteRow extends Changeable {
  readonly vpage: number;
  readonly target: PteTarget;
  /** What the user page maps, in words: "page cache page F:0", "block 1 (F:1)", "anonymous page". */
  readonly maps: string;
  readonly writable: boolean;
  readonly content: string | null;
  /** The PTE maps a free block: a use-after-free of storage. */
  readonly stale: boolean;
}

export interface ProcessTables {
  readonly mm: number;
  readonly pids: readonly Pid[];
  readonly vmas: readonly VmaRow[];
  readonly ptes: readonly PteRow[];
}

export interface InodeRow extends Changeable {
  readonly ino: Ino;
  readonly file: string;
  readonly sizeBytes: number;
  readonly sizePages: number;
  /** Block map: one entry per page index, the block or null for a hole. */
  readonly map: readonly (number | null)[];
}

export interface InspectorModel {
  readonly era: Era;
  readonly fs: Filesystem;
  readonly locks: readonly LockRow[];
  readonly pageCache: readonly FileCache[];
  /** Pages truncate took out of the page cache (mapping NULL) that someone still references or locks. */
  readonly removedPages: readonly CachedPageRow[];
  readonly blocks: readonly BlockRow[];
  readonly processes: readonly ProcessTables[];
  readonly inodes: readonly InodeRow[];
  /** What the last step changed, in words, in section order. */
  readonly changes: readonly string[];
}

function pidList(pids: readonly Pid[]): string {
  return pids.map((p) => `pid ${p}`).join(', ');
}

// --- locks -----------------------------------------------------------------

/** What kind of lock a ref is in the era's kernel: a mutex and a page lock have no read/write mode. */
export function lockType(ref: LockRef, era: Era, kernel?: KernelState): LockType {
  if (ref.kind === 'glock') return 'glock';
  // A named lock (from a lockdep report) is whichever its class is.
  if (ref.kind === 'named') return kernel?.named?.[ref.index]?.rwsem === false ? 'mutex' : 'rwsem';
  if (ref.kind === 'page') return 'page lock';
  // i_mutex became i_rwsem in 4.7; every other sleeping lock here is an rwsem in both eras.
  if (ref.kind === 'i_rwsem' && era === '2015') return 'mutex';
  return 'rwsem';
}

function sleepSummary(lock: SleepLock, type: LockType): string {
  const verb = type === 'page lock' ? 'locked' : 'held';
  let held: string;
  if (lock.writer !== null) held = type === 'rwsem' ? `held for write by pid ${lock.writer}` : `${verb} by pid ${lock.writer}`;
  else if (lock.readers.length > 0) held = `held for read by ${pidList(lock.readers)}`;
  else held = 'unlocked';
  if (lock.waiters.length === 0) return held;
  const waiting = lock.waiters.map((w) => (type === 'rwsem' ? `pid ${w.pid} (${w.write ? 'write' : 'read'})` : `pid ${w.pid}`)).join(', ');
  return `${held}; waiting: ${waiting}`;
}

function sleepRow(kernel: KernelState, ref: LockRef, lock: SleepLock, era: Era): Omit<LockRow, 'changed'> {
  const type = lockType(ref, era, kernel);
  const mode = (write: boolean) => (type === 'rwsem' ? (write ? 'write' : 'read') : null);
  const holders: LockOwner[] = lock.writer !== null ? [{ pid: lock.writer, mode: mode(true), caller: null, detail: null }] : lock.readers.map((pid) => ({ pid, mode: mode(false), caller: null, detail: null }));
  return {
    key: lockKey(ref),
    ref,
    name: lockName(kernel, ref, era),
    type,
    glock: null,
    holders,
    waiters: lock.waiters.map((w) => ({ pid: w.pid, mode: mode(w.write), caller: null, detail: null })),
    idle: !isLocked(lock) && lock.waiters.length === 0,
    summary: sleepSummary(lock, type),
  };
}

function glockOwner(h: GlockHolder): LockOwner {
  return { pid: h.pid, mode: h.mode, caller: h.caller, detail: describeHolder(h) };
}

function glockSummary(state: GlockMode, demote: GlockMode | null, holders: readonly GlockHolder[]): string {
  const granted = holders.filter((h) => h.granted);
  const waiting = holders.filter((h) => !h.granted);
  const parts = [granted.length > 0 ? granted.map((h) => `held ${h.mode} by pid ${h.pid}`).join(', ') : `${state}, no holder`];
  if (waiting.length > 0) parts.push(`waiting: ${waiting.map((h) => `pid ${h.pid} (${h.mode})`).join(', ')}`);
  if (demote !== null) parts.push(`demote to ${demote} pending`);
  return parts.join('; ');
}

/** Rows in roughly the kernel's lock order (i_rwsem → glocks → invalidate_lock → mmap_sem → page lock → i_mmap), so a chain reads top to bottom. */
function lockRows(state: SystemState, pagesShown: ReadonlySet<number>): Omit<LockRow, 'changed'>[] {
  const { kernel } = state;
  const era = state.flags.era;
  const rows: Omit<LockRow, 'changed'>[] = [];
  kernel.inodes.forEach((inode, ino) => rows.push(sleepRow(kernel, { kind: 'i_rwsem', ino }, inode.i_rwsem, era)));
  // Glocks by inode, then node: one file's glocks across the cluster sit together.
  for (const gl of [...kernel.glocks].sort((a, b) => a.ino - b.ino || a.node - b.node)) {
    const ref: LockRef = { kind: 'glock', node: gl.node, ino: gl.ino };
    rows.push({
      key: lockKey(ref),
      ref,
      name: lockName(kernel, ref, era),
      type: 'glock',
      glock: { node: gl.node, state: gl.state, demote: gl.demote },
      holders: gl.holders.filter((h) => h.granted).map(glockOwner),
      waiters: gl.holders.filter((h) => !h.granted).map(glockOwner),
      idle: gl.holders.length === 0 && gl.demote === null,
      summary: glockSummary(gl.state, gl.demote, gl.holders),
    });
  }
  kernel.inodes.forEach((inode, ino) => {
    // invalidate_lock exists from 5.15; show it for other variants only if something touched it.
    const lock = inode.invalidate_lock;
    if (state.flags.invalidateLock || isLocked(lock) || lock.waiters.length > 0) rows.push(sleepRow(kernel, { kind: 'invalidate_lock', ino }, lock, era));
  });
  kernel.mms.forEach((mm, id) => rows.push(sleepRow(kernel, { kind: 'mmap_sem', mm: id }, mm.mmap_sem, era)));
  kernel.pages.forEach((page, id) => {
    if (pagesShown.has(id)) rows.push(sleepRow(kernel, { kind: 'page', page: id }, page.lock, era));
  });
  kernel.inodes.forEach((inode, ino) => rows.push(sleepRow(kernel, { kind: 'i_mmap', ino }, inode.i_mmap, era)));
  kernel.named?.forEach((named, index) => rows.push(sleepRow(kernel, { kind: 'named', index }, named.lock, era)));
  return rows;
}

// --- page cache ----------------------------------------------------------------

function pageRow(kernel: KernelState, key: string, index: number, id: number | null, page: Page | undefined): Omit<CachedPageRow, 'changed'> {
  return {
    key,
    index,
    page: page === undefined ? null : id,
    lockedBy: page?.lock.writer ?? null,
    waiters: page?.lock.waiters.map((w) => w.pid) ?? [],
    uptodate: page?.uptodate ?? false,
    mapping: page === undefined || page.mapping === null ? null : inodeName(kernel, page.mapping),
    refs: page?.refs ?? 0,
    content: page?.content ?? '',
  };
}

/** Cache slots of a file that hold a page now, or held one a step ago (so a removal shows as a changed row). */
function cacheRows(kernel: KernelState, ino: Ino, before: KernelState | undefined): Omit<CachedPageRow, 'changed'>[] {
  const cache = kernel.inodes[ino]?.cache ?? [];
  const prior = before?.inodes[ino]?.cache ?? [];
  const rows: Omit<CachedPageRow, 'changed'>[] = [];
  for (let index = 0; index < Math.max(cache.length, prior.length); index++) {
    const id = cache[index] ?? null;
    if (id === null && (prior[index] ?? null) === null) continue;
    rows.push(pageRow(kernel, `cache:${ino}:${index}`, index, id, id === null ? undefined : kernel.pages[id]));
  }
  return rows;
}

function isRemovedButAlive(page: Page): boolean {
  return page.mapping === null && (page.refs > 0 || isLocked(page.lock) || page.lock.waiters.length > 0);
}

/** Pages with mapping NULL worth showing: still referenced or locked now or a step ago. */
function removedPageIds(kernel: KernelState, before: KernelState | undefined): number[] {
  const ids: number[] = [];
  kernel.pages.forEach((page, id) => {
    const prior = before?.pages[id];
    if (isRemovedButAlive(page) || (page.mapping === null && prior !== undefined && (prior.mapping !== null || isRemovedButAlive(prior)))) ids.push(id);
  });
  return ids;
}

// --- blocks, page tables, inodes ----------------------------------------------------

function pteMappers(kernel: KernelState): Map<number, string[]> {
  const byBlock = new Map<number, string[]>();
  kernel.mms.forEach((mm, id) =>
    mm.ptes.forEach((pte, vpage) => {
      if (pte?.kind !== 'dax') return;
      byBlock.set(pte.block, [...(byBlock.get(pte.block) ?? []), `mm ${id} user page ${vpage}`]);
    }),
  );
  return byBlock;
}

function blockRows(kernel: KernelState): Omit<BlockRow, 'changed'>[] {
  const mappers = pteMappers(kernel);
  return kernel.blocks.map((b, id) => ({
    key: `block:${id}`,
    block: id,
    owner: b.owner === null ? null : `${inodeName(kernel, b.owner.ino)}:${b.owner.index}`,
    fresh: b.fresh,
    content: b.content,
    mappedBy: mappers.get(id) ?? [],
  }));
}

function describePte(kernel: KernelState, pte: Pte | null): Pick<PteRow, 'target' | 'maps' | 'writable' | 'content' | 'stale'> {
  if (pte === null) return { target: 'none', maps: 'nothing (unmapped)', writable: false, content: null, stale: false };
  switch (pte.kind) {
    case 'page': {
      const page = kernel.pages[pte.page];
      const where = page?.mapping != null ? `page cache page ${inodeName(kernel, page.mapping)}:${page.index}` : `page ${pte.page} (mapping NULL)`;
      return { target: 'page', maps: where, writable: pte.writable, content: page?.content ?? null, stale: false };
    }
    case 'dax': {
      const block = kernel.blocks[pte.block];
      const owner = block?.owner != null ? `${inodeName(kernel, block.owner.ino)}:${block.owner.index}` : 'free';
      return { target: 'dax', maps: `block ${pte.block} (${owner})`, writable: pte.writable, content: block?.content ?? null, stale: block?.owner == null };
    }
    case 'anon':
      return { target: 'anon', maps: 'anonymous page (private copy)', writable: true, content: pte.content, stale: false };
  }
}

function processTables(state: SystemState, before: KernelState | undefined): { mm: number; pids: Pid[]; vmas: Omit<VmaRow, 'changed'>[]; ptes: Omit<PteRow, 'changed'>[] }[] {
  const { kernel } = state;
  return kernel.mms.map((mm, id) => {
    const prior = before?.mms[id]?.ptes ?? [];
    const ptes: Omit<PteRow, 'changed'>[] = [];
    for (let vpage = 0; vpage < Math.max(mm.ptes.length, prior.length); vpage++) {
      const pte = mm.ptes[vpage] ?? null;
      // An empty slot is shown only when the last step emptied it.
      if (pte === null && (prior[vpage] ?? null) === null) continue;
      ptes.push({ key: `pte:${id}:${vpage}`, vpage, ...describePte(kernel, pte) });
    }
    return {
      mm: id,
      pids: state.tasks.filter((t) => t.mm === id).map((t) => t.pid),
      vmas: mm.vmas.map((v, i) => ({ key: `vma:${id}:${i}`, start: v.start, pages: v.pages, file: inodeName(kernel, v.ino), pgoff: v.pgoff, shared: v.shared })),
      ptes,
    };
  });
}

function inodeRows(kernel: KernelState): Omit<InodeRow, 'changed'>[] {
  return kernel.inodes.map((inode, ino) => ({
    key: `inode:${ino}`,
    ino,
    file: inode.name,
    sizeBytes: inode.size,
    sizePages: sizeInPages(inode, PAGE_SIZE),
    map: inode.map,
  }));
}

// --- changed flags --------------------------------------------------------------------

/** Mark each row changed when no row with its key existed before or that row read differently. */
export function markChanged<T extends { readonly key: string }>(rows: readonly T[], before: readonly T[] | undefined): (T & { readonly changed: boolean })[] {
  if (before === undefined) return rows.map((r) => ({ ...r, changed: false }));
  const prior = new Map(before.map((r) => [r.key, JSON.stringify(r)]));
  return rows.map((r) => ({ ...r, changed: prior.get(r.key) !== JSON.stringify(r) }));
}

function pagesWithLockRows(kernel: KernelState, before: KernelState | undefined): Set<number> {
  const shown = new Set<number>();
  for (const inode of kernel.inodes) for (const id of inode.cache) if (id !== null) shown.add(id);
  kernel.pages.forEach((page, id) => {
    if (isLocked(page.lock) || page.lock.waiters.length > 0) shown.add(id);
  });
  for (const id of removedPageIds(kernel, before)) shown.add(id);
  return shown;
}

/** The kernel state at a step, in kernel words, with what differs from the step before marked. */
export function inspect(state: SystemState, previous: SystemState | undefined): InspectorModel {
  const { kernel } = state;
  const before = previous?.kernel;
  // The same rows computed for the previous state, so keys line up for comparison.
  const shownNow = pagesWithLockRows(kernel, before);
  const locks = markChanged(lockRows(state, shownNow), previous === undefined ? undefined : lockRows(previous, shownNow));

  const pageCache = kernel.inodes.map((inode, ino) => ({
    ino,
    file: inode.name,
    pages: markChanged(cacheRows(kernel, ino, before), before === undefined ? undefined : cacheRows(before, ino, kernel)),
  }));

  const removedIds = removedPageIds(kernel, before);
  const removedRows = (k: KernelState) => removedIds.map((id) => pageRow(k, `frame:${id}`, k.pages[id]?.index ?? 0, id, k.pages[id]));
  const removedPages = markChanged(removedRows(kernel), before === undefined ? undefined : removedRows(before));

  const blocks = markChanged(blockRows(kernel), before === undefined ? undefined : blockRows(before));

  const priorTables = previous === undefined ? undefined : processTables(previous, kernel);
  const processes = processTables(state, before).map((p) => {
    const prior = priorTables?.find((q) => q.mm === p.mm);
    return { ...p, vmas: markChanged(p.vmas, priorTables === undefined ? undefined : (prior?.vmas ?? [])), ptes: markChanged(p.ptes, priorTables === undefined ? undefined : (prior?.ptes ?? [])) };
  });

  const inodes = markChanged(inodeRows(kernel), before === undefined ? undefined : inodeRows(before));

  const changes = [
    ...locks.filter((r) => r.changed).map((r) => r.name),
    ...pageCache.flatMap((f) => f.pages.filter((r) => r.changed).map((r) => `page cache ${f.file}:${r.index}`)),
    ...removedPages.filter((r) => r.changed).map((r) => `page ${r.page ?? '?'} (mapping NULL)`),
    ...blocks.filter((r) => r.changed).map((r) => `block ${r.block}`),
    ...processes.flatMap((p) => [...p.vmas.filter((r) => r.changed).map((r) => `mm ${p.mm} VMA at user page ${r.start}`), ...p.ptes.filter((r) => r.changed).map((r) => `mm ${p.mm} PTE of user page ${r.vpage}`)]),
    ...inodes.filter((r) => r.changed).map((r) => `inode ${r.file}`),
  ];

  return { era: state.flags.era, fs: state.flags.fs, locks, pageCache, removedPages, blocks, processes, inodes, changes };
}
