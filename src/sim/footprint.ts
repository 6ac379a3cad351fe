/**
 * A step's footprint: which kernel objects it read and which it wrote, as
 * typed keys. The footprint reduction (explore/reduce.ts) takes a step alone
 * when no other task can, now or later, touch what the step touched; that
 * rests on footprints that miss nothing, so both halves are recorded from
 * what the step actually did, never declared by hand:
 *
 * - Writes: the kernel before and after the step are diffed. States are
 *   immutable and a step shares every object it did not change
 *   (kernel/state.ts), so identity comparison finds the changed objects in a
 *   walk over the tables, and within them the changed fields. A diff cannot
 *   see a field written with the value it already had, which does not
 *   commute with another task's write of that field: so a rebuilt page,
 *   block, glock or named lock counts as written whole, and within an inode
 *   or an mm, whose fields are read and claimed one by one, a field counts as
 *   written when its value or its reference changed. Writing an inode's size,
 *   a lock object or a PTE with the very same value or reference would be
 *   missed; footprint.test.ts changes each object a step neither read nor
 *   wrote and checks the step does the same, on random schedules of the DAX,
 *   truncate, punch and gfs2 presets (it found the page case above).
 * - Reads: the step (its wait, then its run) sees a kernel whose tables and
 *   objects are proxies that note each field read (`recordingView`). A
 *   table's `slice()` copies references without reading them (as
 *   `mms.slice()` does in kernel/mm.ts before replacing one slot), and a
 *   spread (`{ ...page, refs }`) copies the fields it keeps without reading
 *   them (see `recordingElement`). Proxies that a step copied into its result are replaced by
 *   their targets before the result is used (`unwrap`), so no state ever
 *   holds one.
 * - The invariants (kernel/invariants.ts) read the kernel after every step
 *   that changed it, so a write also reads what the invariant over the
 *   written object reads: a glock write reads that inode's glock on every
 *   node; a PTE write reads its VMA list and the page or block it maps; a
 *   change of a page's mapping or a block's owner, or of a VMA list, reads
 *   every PTE that could map it (`invariantReads`).
 *
 * Keys are typed by the object, at the grain the reduction needs: an inode's
 * field (i_size, the block map, the page cache, i_rwsem, i_mmap,
 * invalidate_lock), a page's lock, mapping, refcount or data, named by the
 * file it belongs to (its *class*: page->mapping, or FREE), a block by its
 * owner's file, an mm's mmap_sem and VMA list, one PTE (mm, user page), a
 * glock (inode, node), a named lock, and a table's length (a page frame
 * appended). Pages and blocks are keyed by class, not by frame: which frame
 * a file's page lands in is decided at run time, which file a step works on
 * is known from the program (explore/claims.ts).
 */
import type { KernelState } from '../kernel/state.ts';

/** Key kinds. A key is kind << 24 | a << 12 | b, with a and b below 4096. */
export const K_INODE = 1;
export const K_PAGE = 2;
export const K_BLOCK = 3;
export const K_MM = 4;
export const K_PTE = 5;
export const K_GLOCK = 6;
export const K_NAMED = 7;
export const K_TABLE = 8;

/** The class of a page out of the page cache, or of a free block. */
export const FREE = 4095;
/** Matches every a (or b) of its kind in a claim (explore/claims.ts); never recorded. */
export const ANY = 4094;
/** The b of a PTE key that stands for the length of the mm's page table. */
export const PTES_LENGTH = 4095;

export const INODE_FIELDS = ['size', 'map', 'cache', 'i_rwsem', 'i_mmap', 'invalidate_lock', 'shortExtents'] as const;
export const PAGE_LOCK = 0;
export const PAGE_MAPPING = 1;
export const PAGE_REFS = 2;
export const PAGE_DATA = 3;
export const MM_MMAP_SEM = 0;
export const MM_VMAS = 1;
export const TABLE_PAGES = 0;
export const TABLE_BLOCKS = 1;

export function key(kind: number, a: number, b: number): number {
  return (kind << 24) | ((a & 0xfff) << 12) | (b & 0xfff);
}

export const kindOf = (k: number): number => k >>> 24;
export const aOf = (k: number): number => (k >>> 12) & 0xfff;
export const bOf = (k: number): number => k & 0xfff;

/** What a step read and wrote. Keys may repeat. */
export interface Footprint {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

const INODE_FIELD_NO: Readonly<Record<string, number>> = Object.fromEntries(INODE_FIELDS.map((f, i) => [f, i]));
const PAGE_FIELD_NO: Readonly<Record<string, number>> = { lock: PAGE_LOCK, mapping: PAGE_MAPPING, refs: PAGE_REFS };
const MM_FIELD_NO: Readonly<Record<string, number>> = { mmap_sem: MM_MMAP_SEM, vmas: MM_VMAS };

/** Where reads go while a recorded step runs; null otherwise (a stray proxy then reads silently). */
let reads: number[] | null = null;

const note = (k: number): void => {
  reads?.push(k);
};

/** Asked of a recording proxy, gives what it stands for; a plain object has no such key. */
const RAW = Symbol('footprint.raw');

type Table = 'inodes' | 'pages' | 'blocks' | 'mms' | 'glocks' | 'named';
const TABLES: readonly Table[] = ['inodes', 'pages', 'blocks', 'mms', 'glocks', 'named'];

function pageClass(page: { readonly mapping: number | null } | undefined): number {
  return page?.mapping ?? FREE;
}

function blockClass(block: { readonly owner: { readonly ino: number } | null } | undefined): number {
  return block?.owner?.ino ?? FREE;
}

/** The key a read of `field` of element `index` of `table` notes, or -1 for a field that never changes. */
function fieldKey(table: Table, index: number, target: object, field: string): number {
  switch (table) {
    case 'inodes':
      return field === 'name' ? -1 : key(K_INODE, index, INODE_FIELD_NO[field] ?? INODE_FIELDS.length);
    case 'pages':
      return key(K_PAGE, pageClass(target as KernelState['pages'][number]), PAGE_FIELD_NO[field] ?? PAGE_DATA);
    case 'blocks':
      return key(K_BLOCK, blockClass(target as KernelState['blocks'][number]), 0);
    case 'mms':
      // `ptes` hands out a recording array instead (below).
      return field === 'ptes' ? -1 : key(K_MM, index, MM_FIELD_NO[field] ?? MM_VMAS);
    case 'glocks': {
      const gl = target as KernelState['glocks'][number];
      return key(K_GLOCK, gl.ino, gl.node);
    }
    case 'named':
      return key(K_NAMED, index, 0);
  }
  return -1;
}

const isIndex = (prop: string): boolean => {
  const c = prop.charCodeAt(0);
  return c >= 48 && c <= 57;
};

/** A page table that notes each entry read, and its length. The target is the table itself, so it is an array; the map gives its mm. */
const mmOfPtes = new WeakMap<object, number>();
const ptesHandler: ProxyHandler<readonly unknown[]> = {
  get: (target, prop, receiver) => {
    if (prop === RAW) return target;
    if (typeof prop === 'string') {
      const mm = mmOfPtes.get(receiver as object) ?? 0;
      if (prop === 'length') {
        note(key(K_PTE, mm, PTES_LENGTH));
        return target.length;
      }
      if (prop === 'slice') return (...args: number[]) => target.slice(...args);
      if (isIndex(prop)) {
        note(key(K_PTE, mm, Number(prop)));
        return target[Number(prop)];
      }
    }
    return Reflect.get(target, prop, receiver) as unknown;
  },
};

function recordingPtes(ptes: readonly unknown[], mm: number): readonly unknown[] {
  const proxy = new Proxy(ptes, ptesHandler);
  mmOfPtes.set(proxy, mm);
  return proxy;
}

/** One kernel object (an inode, a page, ...) behind a proxy that notes each field read. */
interface Holder {
  readonly el: object;
  readonly table: Table;
  readonly index: number;
}

// The field a spread is copying: it asks for the field's descriptor, then its value.
let copyingFrom: Holder | null = null;
let copying: string | symbol | null = null;

const elementHandler: ProxyHandler<Holder> = {
  get: (holder, prop) => {
    const el = holder.el;
    if (prop === RAW) return el;
    const value = (el as Record<string | symbol, unknown>)[prop];
    if (typeof prop !== 'string') return value;
    if (copyingFrom === holder && prop === copying) {
      copyingFrom = null;
      return value;
    }
    const k = fieldKey(holder.table, holder.index, el, prop);
    if (k >= 0) note(k);
    if (holder.table === 'mms' && prop === 'ptes' && Array.isArray(value)) return recordingPtes(value as readonly unknown[], holder.index);
    return value;
  },
  has: (holder, prop) => {
    if (typeof prop === 'string') {
      const k = fieldKey(holder.table, holder.index, holder.el, prop);
      if (k >= 0) note(k);
    }
    return Reflect.has(holder.el, prop);
  },
  // String keys only: the interner's tag (explore/intern.ts) is a symbol, not enumerable, and a spread skips it anyway.
  ownKeys: (holder) => Object.keys(holder.el),
  // `{ ...page, refs }` copies the fields it does not replace into the new
  // object without looking at them: not a read. The fields are written
  // field by field (writtenKeys), and a step that writes one field of an
  // object commutes with one that copies it while writing another: either
  // order ends with both new values. No kernel or thread code lists an
  // object's fields to read them (no Object.values or entries on kernel
  // objects), which is what would make this unsound.
  getOwnPropertyDescriptor: (holder, prop) => {
    if (typeof prop === 'symbol') return undefined;
    copyingFrom = holder;
    copying = prop;
    return Reflect.getOwnPropertyDescriptor(holder.el, prop);
  },
};

/** Element proxies made during the current recorded step, by table and index. */
const made: Map<number, object>[] = TABLES.map(() => new Map());

function element(table: Table, t: number, items: readonly object[], i: number): object | undefined {
  const item = items[i];
  if (item === undefined) return undefined;
  const cache = made[t] as Map<number, object>;
  let proxy = cache.get(i);
  if (proxy === undefined) {
    proxy = new Proxy({ el: item, table, index: i }, elementHandler);
    cache.set(i, proxy);
  }
  return proxy;
}

/** A kernel table whose elements note their reads; the length of the page and block tables is a read too. */
function tableHandler(table: Table): ProxyHandler<readonly object[]> {
  const t = TABLES.indexOf(table);
  const lengthKey = table === 'pages' ? key(K_TABLE, TABLE_PAGES, 0) : table === 'blocks' ? key(K_TABLE, TABLE_BLOCKS, 0) : -1;
  return {
    get: (target, prop, receiver) => {
      if (prop === RAW) return target;
      if (typeof prop === 'string') {
        if (prop === 'length') {
          if (lengthKey >= 0) note(lengthKey);
          return target.length;
        }
        // Copying the references reads nothing (kernel/*.ts: slice, then replace one slot).
        if (prop === 'slice') return (...args: number[]) => target.slice(...args);
        if (isIndex(prop)) return element(table, t, target, Number(prop));
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  };
}
const tableHandlers = new Map<Table, ProxyHandler<readonly object[]>>(TABLES.map((t) => [t, tableHandler(t)]));

function recordingTable<T>(table: Table, items: readonly T[]): readonly T[] {
  return new Proxy(items as readonly object[], tableHandlers.get(table) ?? {}) as unknown as readonly T[];
}

/** The kernel as a recorded step sees it. */
export function recordingView(kernel: KernelState): KernelState {
  for (const cache of made) cache.clear();
  return {
    inodes: recordingTable('inodes', kernel.inodes),
    pages: recordingTable('pages', kernel.pages),
    blocks: recordingTable('blocks', kernel.blocks),
    mms: recordingTable('mms', kernel.mms),
    glocks: recordingTable('glocks', kernel.glocks),
    nodes: kernel.nodes,
    ...(kernel.named !== undefined ? { named: recordingTable('named', kernel.named) } : {}),
  };
}

/** Runs `body` noting every read through a recording view; the reads, and its value. */
export function recordReads<T>(body: () => T): { readonly value: T; readonly reads: number[] } {
  const outer = reads;
  const mine: number[] = [];
  reads = mine;
  try {
    return { value: body(), reads: mine };
  } finally {
    reads = outer;
  }
}

function raw<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  return ((value as Record<symbol, unknown>)[RAW] as T | undefined) ?? value;
}

/** Whether `value` is a recording proxy (for tests: no state may hold one). */
export function isRecordingProxy(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RAW] !== undefined;
}

/** `result` with every recording proxy a step copied into it replaced by its target. */
export function unwrap(result: KernelState): KernelState {
  const table = <T extends object>(items: readonly T[], fix?: (item: T) => T): readonly T[] => {
    const plain = raw(items);
    let out: T[] | null = null;
    for (let i = 0; i < plain.length; i++) {
      const item = plain[i] as T;
      let fixed = raw(item);
      if (fix !== undefined && fixed === item) fixed = fix(item);
      if (fixed !== item) {
        out ??= plain.slice();
        out[i] = fixed;
      }
    }
    return out ?? plain;
  };
  const mm = (m: KernelState['mms'][number]): KernelState['mms'][number] => {
    const ptes = raw(m.ptes);
    return ptes === m.ptes ? m : { ...m, ptes };
  };
  const named = result.named === undefined ? undefined : table(result.named);
  return {
    ...result,
    inodes: table(result.inodes),
    pages: table(result.pages),
    blocks: table(result.blocks),
    mms: table(result.mms, mm),
    glocks: table(result.glocks),
    ...(named !== undefined ? { named } : {}),
  };
}

/** Every key the step wrote: the kernel before and after it, diffed by identity. */
export function writtenKeys(before: KernelState, after: KernelState): number[] {
  const out: number[] = [];
  if (before === after) return out;
  if (before.inodes !== after.inodes) {
    for (let i = 0; i < Math.max(before.inodes.length, after.inodes.length); i++) {
      const a = before.inodes[i];
      const b = after.inodes[i];
      if (a === b) continue;
      INODE_FIELDS.forEach((field, f) => {
        if (a?.[field] !== b?.[field]) out.push(key(K_INODE, i, f));
      });
    }
  }
  if (before.pages !== after.pages) {
    if (before.pages.length !== after.pages.length) out.push(key(K_TABLE, TABLE_PAGES, 0));
    for (let i = 0; i < Math.max(before.pages.length, after.pages.length); i++) {
      const a = before.pages[i];
      const b = after.pages[i];
      if (a === b) continue;
      // A rebuilt page counts as written in every field: `{ ...page, content, uptodate: true }`
      // may write a field with the value it already had (copy_page_from_iter over equal data),
      // which no diff sees, and which does not commute with another task's write of it.
      // A page that changes file is written as a page of both.
      for (const f of [PAGE_LOCK, PAGE_MAPPING, PAGE_REFS, PAGE_DATA]) {
        out.push(key(K_PAGE, pageClass(a), f));
        if (pageClass(b) !== pageClass(a)) out.push(key(K_PAGE, pageClass(b), f));
      }
    }
  }
  if (before.blocks !== after.blocks) {
    if (before.blocks.length !== after.blocks.length) out.push(key(K_TABLE, TABLE_BLOCKS, 0));
    for (let i = 0; i < Math.max(before.blocks.length, after.blocks.length); i++) {
      const a = before.blocks[i];
      const b = after.blocks[i];
      if (a === b) continue;
      out.push(key(K_BLOCK, blockClass(a), 0));
      if (blockClass(b) !== blockClass(a)) out.push(key(K_BLOCK, blockClass(b), 0));
    }
  }
  if (before.mms !== after.mms) {
    for (let m = 0; m < Math.max(before.mms.length, after.mms.length); m++) {
      const a = before.mms[m];
      const b = after.mms[m];
      if (a === b) continue;
      if (a?.mmap_sem !== b?.mmap_sem) out.push(key(K_MM, m, MM_MMAP_SEM));
      if (a?.vmas !== b?.vmas) out.push(key(K_MM, m, MM_VMAS));
      const pa = a?.ptes ?? [];
      const pb = b?.ptes ?? [];
      if (pa === pb) continue;
      if (pa.length !== pb.length) out.push(key(K_PTE, m, PTES_LENGTH));
      for (let v = 0; v < Math.max(pa.length, pb.length); v++) if (pa[v] !== pb[v]) out.push(key(K_PTE, m, v));
    }
  }
  if (before.glocks !== after.glocks) {
    for (let g = 0; g < Math.max(before.glocks.length, after.glocks.length); g++) {
      const a = before.glocks[g];
      const b = after.glocks[g];
      if (a === b) continue;
      const gl = a ?? b;
      if (gl !== undefined) out.push(key(K_GLOCK, gl.ino, gl.node));
    }
  }
  if (before.named !== after.named) {
    const a = before.named ?? [];
    const b = after.named ?? [];
    for (let n = 0; n < Math.max(a.length, b.length); n++) if (a[n] !== b[n]) out.push(key(K_NAMED, n, 0));
  }
  return out;
}

/**
 * What the invariant check after a step reads because of what the step
 * wrote (kernel/invariants.ts): the rest of each invariant whose objects the
 * step changed. Then a step that commutes with another by its recorded
 * keys also leaves every invariant's verdict where the other finds it.
 */
export function invariantReads(before: KernelState, after: KernelState, writes: readonly number[]): number[] {
  const out: number[] = [];
  let everyPte = false;
  const ptesOf = (m: number): void => {
    const ptes = after.mms[m]?.ptes ?? [];
    for (let v = 0; v < ptes.length; v++) ptesTarget(m, v);
    out.push(key(K_MM, m, MM_VMAS));
  };
  const ptesTarget = (m: number, v: number): void => {
    out.push(key(K_PTE, m, v));
    for (const k of [before, after]) {
      const pte = k.mms[m]?.ptes[v];
      if (pte?.kind === 'page') out.push(key(K_PAGE, pageClass(k.pages[pte.page]), PAGE_MAPPING));
      if (pte?.kind === 'dax') out.push(key(K_BLOCK, blockClass(k.blocks[pte.block]), 0));
    }
  };
  for (const w of writes) {
    const kind = kindOf(w);
    if (kind === K_GLOCK) {
      for (let node = 0; node < after.nodes; node++) out.push(key(K_GLOCK, aOf(w), node));
    } else if (kind === K_PTE && bOf(w) !== PTES_LENGTH) {
      out.push(key(K_MM, aOf(w), MM_VMAS));
      ptesTarget(aOf(w), bOf(w));
    } else if ((kind === K_PAGE && bOf(w) === PAGE_MAPPING) || kind === K_BLOCK) {
      everyPte = true;
    } else if (kind === K_MM && bOf(w) === MM_VMAS) {
      ptesOf(aOf(w));
    }
  }
  if (everyPte) for (let m = 0; m < after.mms.length; m++) ptesOf(m);
  return out;
}

/** A key in words, for a model error. */
export function describeKey(k: number): string {
  const a = aOf(k);
  const b = bOf(k);
  const cls = (c: number) => (c === FREE ? 'no file' : `ino ${c}`);
  switch (kindOf(k)) {
    case K_INODE:
      return `inode ${a} ${INODE_FIELDS[b] ?? 'field'}`;
    case K_PAGE:
      return `a page of ${cls(a)} (${['lock', 'mapping', 'refcount', 'data'][b] ?? b})`;
    case K_BLOCK:
      return `a block of ${cls(a)}`;
    case K_MM:
      return `mm ${a} ${b === MM_MMAP_SEM ? 'mmap_sem' : 'VMAs'}`;
    case K_PTE:
      return b === PTES_LENGTH ? `mm ${a} page-table length` : `PTE of mm ${a} user page ${b}`;
    case K_GLOCK:
      return `glock of ino ${a} on node ${b}`;
    case K_NAMED:
      return `named lock ${a}`;
    case K_TABLE:
      return a === TABLE_PAGES ? 'the page-frame table length' : 'the block table length';
  }
  return `key ${k}`;
}
