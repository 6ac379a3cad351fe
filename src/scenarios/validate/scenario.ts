/**
 * The rules of the scenario format (docs/scenario-format.md): which fields
 * each object has, their ranges, and what they must agree on across the
 * scenario (a mapping's file exists, a buffer is mapped in the task's
 * process, a schedule names only the tasks' pids). Built from the field
 * checks of fields.ts; the result is a fresh copy holding only known fields.
 */
import { PAGE_SIZE, type Pid } from '../../kernel/ids.ts';
import { VARIANTS, findVariant, isPageCacheFs, variantFitsFs, type Filesystem, type VariantId } from '../../kernel/variants.ts';
import { OUTCOME_KINDS } from '../../sim/outcome.ts';
import type { Expectation, FaultLockSpec, FaultSpec, FileSpec, LockSpec, LockTargetSpec, MappingSpec, NamedSchedule, OutcomeKind, PageState, Scenario, SyscallSpec, TaskSpec } from '../types.ts';
import type { Report} from './fields.ts';
import { asArray, asBoolean, asInt, asObject, asOneOf, asString, describe, field, index, member, onlyKnown, pagesText, plural, quote } from './fields.ts';

/** The version of the format a scenario file may declare in `format`. */
export const SCENARIO_FORMAT = 1;

/** Every bound the validator enforces, in the units of the format (pages, entries, characters). */
export const LIMITS = {
  idLength: 64,
  title: 200,
  story: 4000,
  nodes: 4,
  freeBlocks: 64,
  files: 8,
  filePages: 16,
  mappings: 32,
  processes: 8,
  /** User pages are numbered 0 to userPages - 1 in every process. */
  userPages: 256,
  tasks: 6,
  maxPid: 99999,
  program: 8,
  ioPages: 8,
  schedules: 16,
  scheduleName: 64,
  description: 2000,
  steps: 10_000,
  summary: 2000,
  contentTag: 64,
  sources: 32,
  source: 500,
  /** Named locks (lockdep classes the model has no object for). */
  locks: 8,
  /** Entries in a `lock` entry's body, and how deep `lock` entries nest. */
  body: 8,
  nesting: 4,
  /** Locks a reported fault handler takes. */
  faultLocks: 6,
  /** A kernel function name in `at` and `handler`, or a lockdep class. */
  symbol: 100,
  lockClass: 200,
} as const;

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FILE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,15}$/;
const LOCK_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

// Records keyed by the union types make the compiler insist that these lists
// follow types.ts when it grows a page state, a syscall or an outcome.
const PAGE_STATES: Readonly<Record<PageState, true>> = { hole: true, disk: true, cached: true, 'hole-cached': true };
const OUTCOMES = Object.fromEntries(OUTCOME_KINDS.map((k) => [k, true])) as Readonly<Record<OutcomeKind, true>>;
const FILESYSTEMS: Readonly<Record<Filesystem, true>> = { gfs2: true, 'ext2-dax': true, ext4: true, xfs: true };
const BASES: Readonly<Record<Expectation['basis'], true>> = { verified: true, inferred: true };
/** The member of SyscallSpec for one call name ('pread' shares its member with 'pwrite'). */
type SpecOf<K> = SyscallSpec extends infer S ? (S extends { readonly call: infer C } ? (K extends C ? S : never) : never) : never;
const SYSCALL_FIELDS: { readonly [K in SyscallSpec['call']]: readonly (keyof SpecOf<K> & string)[] } = {
  pread: ['call', 'file', 'pos', 'len', 'buf', 'direct'],
  pwrite: ['call', 'file', 'pos', 'len', 'buf', 'direct'],
  truncate: ['call', 'file', 'size'],
  punch: ['call', 'file', 'pos', 'len'],
  mmap: ['call', 'file', 'pgoff', 'len', 'at', 'shared'],
  touch: ['call', 'vpage', 'write'],
  lock: ['call', 'lock', 'write', 'at', 'body'],
  copy: ['call', 'buf', 'write', 'at'],
};

// Fields each object may have; anything else is refused as a likely typo. Keyed
// by the types, so a field added to types.ts fails to compile here until the
// validator checks it.
const fields = <T extends string>(table: Readonly<Record<T, true>>): readonly string[] => Object.keys(table);
const SCENARIO_FIELDS = fields<keyof Scenario | 'format'>({
  format: true,
  id: true,
  title: true,
  story: true,
  fs: true,
  variants: true,
  nodes: true,
  blockSize: true,
  freeBlocks: true,
  files: true,
  locks: true,
  mappings: true,
  tasks: true,
  schedules: true,
  sources: true,
});
const FILE_FIELDS = fields<keyof FileSpec>({ name: true, pages: true, shortExtents: true });
const MAPPING_FIELDS = fields<keyof MappingSpec>({ process: true, file: true, at: true, pages: true, pgoff: true, shared: true, faulted: true, fault: true });
const LOCK_FIELDS = fields<keyof LockSpec>({ name: true, kind: true, class: true });
const FAULT_FIELDS = fields<keyof FaultSpec>({ handler: true, locks: true });
const FAULT_LOCK_FIELDS = fields<keyof FaultLockSpec>({ lock: true, write: true, at: true });
/** Each kind of lock target and the fields it takes. */
const LOCK_TARGET_FIELDS: { readonly [K in LockTargetSpec['kind']]: readonly string[] } = {
  named: ['kind', 'name'],
  i_rwsem: ['kind', 'file'],
  i_mmap: ['kind', 'file'],
  invalidate_lock: ['kind', 'file'],
  mmap_lock: ['kind'],
};
const LOCK_KINDS: Readonly<Record<LockSpec['kind'], true>> = { mutex: true, rwsem: true };
const TASK_FIELDS = fields<keyof TaskSpec>({ pid: true, process: true, node: true, program: true });
const SCHEDULE_FIELDS = fields<keyof NamedSchedule>({ name: true, description: true, steps: true, expect: true });
const EXPECTATION_FIELDS = fields<keyof Expectation>({ kind: true, summary: true, returns: true, userPages: true, filePages: true, basis: true });

/** Every field of the format, per type: what docs/scenario-format.md must name (format.test.ts checks it). */
export const FORMAT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Scenario: SCENARIO_FIELDS,
  FileSpec: FILE_FIELDS,
  MappingSpec: MAPPING_FIELDS,
  TaskSpec: TASK_FIELDS,
  NamedSchedule: SCHEDULE_FIELDS,
  Expectation: EXPECTATION_FIELDS,
  SyscallSpec: [...new Set(Object.values(SYSCALL_FIELDS).flat())],
  LockSpec: LOCK_FIELDS,
  FaultSpec: FAULT_FIELDS,
  FaultLockSpec: FAULT_LOCK_FIELDS,
  LockTargetSpec: [...new Set(Object.values(LOCK_TARGET_FIELDS).flat())],
};

/** A user page range [from, from + pages) with where it came from, for overlap messages. */
interface UserRange {
  readonly from: number;
  readonly pages: number;
  readonly source: string;
}

interface FileInfo {
  readonly pages: number;
  /** Each page's state at the start; empty when the page list itself was refused. */
  readonly states: readonly PageState[];
  /** The largest size the file can reach: its pages, or a bigger truncate. */
  maxPages: number;
}

interface TaskDraft {
  readonly path: string;
  readonly pid: Pid | undefined;
  readonly process: number | undefined;
  readonly node: number | undefined;
  readonly nodeGiven: boolean;
  readonly program: readonly (SyscallSpec | undefined)[] | undefined;
}

/** Everything the later sections check against. */
interface Context {
  readonly r: Report;
  fs: Filesystem | undefined;
  nodes: number;
  readonly files: Map<string, FileInfo>;
  /** Mapped user page ranges per process, from `mappings` and from mmap calls. */
  readonly mapped: Map<number, UserRange[]>;
  readonly processes: Set<number>;
  /** Named locks by name: whether each is an rwsem. */
  readonly locks: Map<string, LockSpec['kind']>;
}

function checkFile(c: Context, path: string, value: unknown): FileSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a file');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, FILE_FIELDS, 'a file');
  const namePath = member(path, 'name');
  const rawName = field(obj, 'name');
  let name = asString(r, namePath, rawName, 1, 64, 'the file name');
  if (name !== undefined && !FILE_NAME_PATTERN.test(name)) {
    r.add(namePath, `${quote(name)} is not a valid file name: use a letter, then up to 15 letters, digits or underscores`);
    name = undefined;
  }
  if (name !== undefined && c.files.has(name)) {
    r.add(namePath, `a file named ${name} is already defined`);
    name = undefined;
  }
  const pagesPath = member(path, 'pages');
  const rawPages = asArray(r, pagesPath, field(obj, 'pages'), 1, LIMITS.filePages, 'page states');
  const pages: PageState[] = [];
  rawPages?.forEach((p, i) => {
    const state = asOneOf(r, index(pagesPath, i), p, PAGE_STATES, 'a page state');
    if (state !== undefined) pages.push(state);
  });
  const rawShort = field(obj, 'shortExtents');
  let shortExtents: number[] | undefined;
  if (rawShort !== undefined) {
    const shortPath = member(path, 'shortExtents');
    const list = asArray(r, shortPath, rawShort, 0, LIMITS.filePages, 'page indexes');
    if (list !== undefined && list.length > 0 && c.fs !== undefined && c.fs !== 'ext2-dax') r.add(shortPath, 'short extents are a DAX get_block case: only ext2-dax scenarios may have them');
    shortExtents = [];
    list?.forEach((v, i) => {
      const at = index(shortPath, i);
      const page = asInt(r, at, v, 0, Math.max(0, (rawPages?.length ?? LIMITS.filePages) - 1), 'a page index of this file');
      if (page === undefined) return;
      if (shortExtents?.includes(page)) r.add(at, `page ${page} is listed twice`);
      const state = pages.length === rawPages?.length ? pages[page] : undefined;
      if (state !== undefined && state !== 'disk' && state !== 'cached') r.add(at, `page ${page} is a ${state}: only a page with a block ('disk' or 'cached') can have a short extent`);
      shortExtents?.push(page);
    });
  }
  // A file with bad pages is still registered, so references to it do not
  // cascade into "no file named F"; without a page list, range checks use the limit.
  if (name !== undefined) {
    const count = rawPages?.length ?? LIMITS.filePages;
    c.files.set(name, { pages: count, maxPages: count, states: pages.length === rawPages?.length ? pages : [] });
  }
  if (name === undefined || rawPages === undefined || pages.length !== rawPages.length) return undefined;
  return shortExtents === undefined ? { name, pages } : { name, pages, shortExtents };
}

/** The file a syscall or mapping names, or undefined after reporting why not. */
function checkFileRef(c: Context, path: string, value: unknown): { name: string; info: FileInfo } | undefined {
  const name = asString(c.r, path, value, 1, 64, 'the file');
  if (name === undefined) return undefined;
  const info = c.files.get(name);
  if (info === undefined) {
    const known = [...c.files.keys()];
    c.r.add(path, `no file named ${quote(name)}${known.length > 0 ? ` (files: ${known.join(', ')})` : ''}`);
    return undefined;
  }
  return { name, info };
}

/** Add a mapped range for a process, refusing an overlap with one already there. */
function addMapped(c: Context, path: string, process: number, range: UserRange): void {
  const list = c.mapped.get(process) ?? [];
  const clash = list.find((m) => range.from < m.from + m.pages && m.from < range.from + range.pages);
  if (clash !== undefined) {
    c.r.add(path, `user ${pagesText(range.from, range.pages)} of process ${process} overlap ${clash.source} (user ${pagesText(clash.from, clash.pages)})`);
    return;
  }
  list.push(range);
  c.mapped.set(process, list);
}

/** User pages are bounded so a scenario cannot make the page tables huge. */
function checkUserEnd(c: Context, path: string, at: number, pages: number): boolean {
  if (at + pages > LIMITS.userPages) {
    c.r.add(path, `user ${pagesText(at, pages)} run past the last user page (${LIMITS.userPages - 1})`);
    return false;
  }
  return true;
}

function checkMapping(c: Context, path: string, value: unknown, i: number): MappingSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a mapping');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, MAPPING_FIELDS, 'a mapping');
  const process = asInt(r, member(path, 'process'), field(obj, 'process'), 0, LIMITS.processes - 1, 'the process');
  const file = checkFileRef(c, member(path, 'file'), field(obj, 'file'));
  const at = asInt(r, member(path, 'at'), field(obj, 'at'), 0, LIMITS.userPages - 1, 'the first user page');
  const pages = asInt(r, member(path, 'pages'), field(obj, 'pages'), 1, LIMITS.filePages, 'the number of pages');
  const rawPgoff = field(obj, 'pgoff');
  const pgoff = rawPgoff === undefined ? 0 : asInt(r, member(path, 'pgoff'), rawPgoff, 0, LIMITS.filePages - 1, 'the file page offset');
  const shared = asBoolean(r, member(path, 'shared'), field(obj, 'shared'), 'shared (MAP_SHARED)');
  if (file !== undefined && pgoff !== undefined && pages !== undefined && pgoff + pages > file.info.pages) {
    r.add(member(path, 'pages'), `maps file ${pagesText(pgoff, pages)} of ${file.name}, which has ${plural(file.info.pages, 'page')}`);
  }
  if (at !== undefined && pages !== undefined && checkUserEnd(c, member(path, 'pages'), at, pages) && process !== undefined) {
    addMapped(c, member(path, 'at'), process, { from: at, pages, source: `mappings[${i}]` });
  }
  if (process !== undefined) c.processes.add(process);
  const rawFaulted = field(obj, 'faulted');
  const faulted = rawFaulted === undefined ? [] : checkFaulted(c, member(path, 'faulted'), rawFaulted, { file, at, pages, pgoff });
  const rawFault = field(obj, 'fault');
  const fault = rawFault === undefined ? null : checkFault(c, member(path, 'fault'), rawFault, { file, pages, pgoff });
  if (process === undefined || file === undefined || at === undefined || pages === undefined || pgoff === undefined || shared === undefined || faulted === undefined || fault === undefined) return undefined;
  return {
    process,
    file: file.name,
    at,
    pages,
    ...(rawPgoff === undefined ? {} : { pgoff }),
    shared,
    ...(rawFaulted === undefined ? {} : { faulted }),
    ...(fault === null ? {} : { fault }),
  };
}

/**
 * The user pages of a mapping that start out in the page tables. Each must
 * lie inside the mapping, and its file page must be one a read fault could
 * have mapped without I/O the run would then skip: in the page cache, or on
 * DAX a block or a hole page. A hole with nothing cached would have been
 * filled by that fault (dax_load_hole, or a zeroed page-cache page on gfs2).
 */
function checkFaulted(
  c: Context,
  path: string,
  value: unknown,
  m: { file: { name: string; info: FileInfo } | undefined; at: number | undefined; pages: number | undefined; pgoff: number | undefined },
): number[] | undefined {
  const { r } = c;
  const list = asArray(r, path, value, 0, LIMITS.filePages, 'user pages');
  if (list === undefined) return undefined;
  const out: number[] = [];
  let bad = false;
  list.forEach((v, i) => {
    const at = index(path, i);
    const vpage = asInt(r, at, v, 0, LIMITS.userPages - 1, 'a user page of the mapping');
    if (vpage === undefined) return void (bad = true);
    if (out.includes(vpage)) return void r.add(at, `user page ${vpage} is listed twice`);
    out.push(vpage);
    if (m.at === undefined || m.pages === undefined || m.pgoff === undefined || m.file === undefined) return;
    if (vpage < m.at || vpage >= m.at + m.pages) return void r.add(at, `user page ${vpage} is outside the mapping (user pages ${m.at} to ${m.at + m.pages - 1})`);
    const index_ = m.pgoff + vpage - m.at;
    const state = m.file.info.states[index_];
    if (state === undefined) return;
    const cachedOnly = c.fs !== 'ext2-dax';
    if (state === 'hole' || (cachedOnly && state === 'disk')) {
      r.add(at, `user page ${vpage} maps ${m.file.name}:${index_}, a ${state} with no page in the page cache; a read fault would have ${state === 'hole' ? 'left a zeroed page there' : 'read it into the page cache'}: make it ${state === 'hole' ? 'hole-cached' : 'cached'}`);
    }
  });
  return bad ? undefined : out.sort((a, b) => a - b);
}

/** The structure and ranges of one syscall; whether its buffer is mapped is checked later, per process. `depth`: how many `lock` entries it is nested in. */
function checkSyscall(c: Context, path: string, value: unknown, depth = 0): SyscallSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a program entry');
  if (obj === undefined) return undefined;
  const callPath = member(path, 'call');
  const call = asOneOf(r, callPath, field(obj, 'call'), SYSCALL_FIELDS, 'the call');
  if (call === undefined) return undefined;
  onlyKnown(r, path, obj, SYSCALL_FIELDS[call], `a ${call} call`);
  const f = (key: string) => field(obj, key);
  const p = (key: string) => member(path, key);
  switch (call) {
    case 'pread':
    case 'pwrite': {
      // ext4 and xfs are here for page faults against truncate and hole punch; their read_iter and write_iter are not modelled.
      if (c.fs !== undefined && isPageCacheFs(c.fs)) r.add(callPath, `${call} on ${c.fs} is not modelled: ${c.fs} scenarios may use mmap, loads and stores, truncate and hole punch`);
      const file = checkFileRef(c, p('file'), f('file'));
      const pos = asInt(r, p('pos'), f('pos'), 0, LIMITS.filePages - 1, 'the file position in pages');
      const len = asInt(r, p('len'), f('len'), 1, LIMITS.ioPages, 'the length in pages');
      const buf = asInt(r, p('buf'), f('buf'), 0, LIMITS.userPages - 1, 'the buffer’s first user page');
      const rawDirect = f('direct');
      const direct = rawDirect === undefined ? false : asBoolean(r, p('direct'), rawDirect, 'direct (O_DIRECT)');
      if (file !== undefined && pos !== undefined && len !== undefined && pos + len > file.info.pages) {
        const why = call === 'pread' ? 'reads past EOF are not modelled' : 'writes that extend a file are not modelled';
        r.add(pos >= file.info.pages ? p('pos') : p('len'), `${call} of file ${pagesText(pos, len)} runs past the end of ${file.name} (${plural(file.info.pages, 'page')}): ${why}`);
      }
      if (buf !== undefined && len !== undefined) checkUserEnd(c, p('len'), buf, len);
      if (file === undefined || pos === undefined || len === undefined || buf === undefined || direct === undefined) return undefined;
      return rawDirect === undefined ? { call, file: file.name, pos, len, buf } : { call, file: file.name, pos, len, buf, direct };
    }
    case 'truncate': {
      const file = checkFileRef(c, p('file'), f('file'));
      const size = asInt(r, p('size'), f('size'), 0, LIMITS.filePages, 'the new size in pages');
      if (file !== undefined && size !== undefined) file.info.maxPages = Math.max(file.info.maxPages, size);
      if (file === undefined || size === undefined) return undefined;
      return { call, file: file.name, size };
    }
    case 'punch': {
      const file = checkFileRef(c, p('file'), f('file'));
      const pos = asInt(r, p('pos'), f('pos'), 0, LIMITS.filePages - 1, 'the first page to punch');
      const len = asInt(r, p('len'), f('len'), 1, LIMITS.filePages, 'the number of pages to punch');
      if (file !== undefined && pos !== undefined && len !== undefined && pos + len > file.info.pages) {
        r.add(pos >= file.info.pages ? p('pos') : p('len'), `punch of file ${pagesText(pos, len)} runs past the end of ${file.name} (${plural(file.info.pages, 'page')})`);
      }
      if (file === undefined || pos === undefined || len === undefined) return undefined;
      return { call, file: file.name, pos, len };
    }
    case 'mmap': {
      const file = checkFileRef(c, p('file'), f('file'));
      const pgoff = asInt(r, p('pgoff'), f('pgoff'), 0, LIMITS.filePages - 1, 'the file page offset');
      const len = asInt(r, p('len'), f('len'), 1, LIMITS.filePages, 'the length in pages');
      const at = asInt(r, p('at'), f('at'), 0, LIMITS.userPages - 1, 'the first user page');
      const shared = asBoolean(r, p('shared'), f('shared'), 'shared (MAP_SHARED)');
      if (file !== undefined && pgoff !== undefined && len !== undefined && pgoff + len > file.info.pages) {
        r.add(p('len'), `maps file ${pagesText(pgoff, len)} of ${file.name}, which has ${plural(file.info.pages, 'page')}`);
      }
      if (at !== undefined && len !== undefined) checkUserEnd(c, p('len'), at, len);
      if (file === undefined || pgoff === undefined || len === undefined || at === undefined || shared === undefined) return undefined;
      return { call, file: file.name, pgoff, len, at, shared };
    }
    case 'touch': {
      const vpage = asInt(r, p('vpage'), f('vpage'), 0, LIMITS.userPages - 1, 'the user page');
      const write = asBoolean(r, p('write'), f('write'), 'write (a store, not a load)');
      if (vpage === undefined || write === undefined) return undefined;
      return { call, vpage, write };
    }
    case 'lock': {
      const lock = checkLockTarget(c, p('lock'), f('lock'), true);
      const write = checkLockMode(c, p('write'), f('write'), lock);
      const at = checkSymbol(c, p('at'), f('at'), 'the kernel function that takes the lock');
      if (depth + 1 > LIMITS.nesting) r.add(path, `lock entries nest at most ${LIMITS.nesting} deep`);
      const list = asArray(r, p('body'), f('body'), 0, LIMITS.body, 'body entries');
      const body = list?.map((entry, i) => checkSyscall(c, index(p('body'), i), entry, depth + 1));
      if (lock === undefined || write === undefined || at === undefined || body === undefined || body.some((b) => b === undefined) || depth + 1 > LIMITS.nesting) return undefined;
      return { call, lock, write, ...(at === null ? {} : { at }), body: body.filter((b) => b !== undefined) };
    }
    case 'copy': {
      const buf = asInt(r, p('buf'), f('buf'), 0, LIMITS.userPages - 1, 'the user page copied');
      const write = asBoolean(r, p('write'), f('write'), 'write (copy_to_user, not copy_from_user)');
      const at = checkSymbol(c, p('at'), f('at'), 'the kernel function that copies');
      if (buf === undefined || write === undefined || at === undefined) return undefined;
      return { call, buf, write, ...(at === null ? {} : { at }) };
    }
  }
}

// --- named locks, lock entries and reported fault handlers (lockdep imports) ---

/** An optional kernel function name: null when absent, undefined when refused. */
function checkSymbol(c: Context, path: string, value: unknown, what: string): string | null | undefined {
  if (value === undefined) return null;
  return asString(c.r, path, value, 1, LIMITS.symbol, what);
}

function checkLockSpec(c: Context, path: string, value: unknown): LockSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a named lock');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, LOCK_FIELDS, 'a named lock');
  let name = asString(r, member(path, 'name'), field(obj, 'name'), 1, 32, 'the lock name');
  if (name !== undefined && !LOCK_NAME_PATTERN.test(name)) {
    r.add(member(path, 'name'), `${quote(name)} is not a valid lock name: use letters, digits and underscores, starting with a letter or underscore (ip_alloc_sem)`);
    name = undefined;
  }
  if (name !== undefined && c.locks.has(name)) {
    r.add(member(path, 'name'), `${quote(name)} is listed twice`);
    name = undefined;
  }
  const kind = asOneOf(r, member(path, 'kind'), field(obj, 'kind'), LOCK_KINDS, 'the lock kind');
  const rawClass = field(obj, 'class');
  const lockClass = rawClass === undefined ? undefined : asString(r, member(path, 'class'), rawClass, 1, LIMITS.lockClass, 'the lockdep class');
  if (name === undefined || kind === undefined || (rawClass !== undefined && lockClass === undefined)) return undefined;
  c.locks.set(name, kind);
  return { name, kind, ...(lockClass === undefined ? {} : { class: lockClass }) };
}

/** A lock a `lock` entry (which may name the task's mmap_lock) or a fault handler takes. */
function checkLockTarget(c: Context, path: string, value: unknown, mmapAllowed: boolean): LockTargetSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a lock');
  if (obj === undefined) return undefined;
  const kind = asOneOf(r, member(path, 'kind'), field(obj, 'kind'), LOCK_TARGET_FIELDS, 'the lock');
  if (kind === undefined) return undefined;
  onlyKnown(r, path, obj, LOCK_TARGET_FIELDS[kind], `a ${kind} lock`);
  switch (kind) {
    case 'named': {
      const name = asString(r, member(path, 'name'), field(obj, 'name'), 1, 32, 'the name of a lock in locks');
      if (name === undefined) return undefined;
      if (!c.locks.has(name)) {
        const known = [...c.locks.keys()];
        r.add(member(path, 'name'), `no lock ${quote(name)} in locks${known.length > 0 ? ` (locks: ${known.join(', ')})` : ': add it to the scenario’s locks'}`);
        return undefined;
      }
      return { kind, name };
    }
    case 'mmap_lock':
      if (!mmapAllowed) {
        r.add(member(path, 'kind'), 'a fault handler runs with mmap_lock already held for read: it cannot take it again');
        return undefined;
      }
      return { kind };
    default: {
      const file = checkFileRef(c, member(path, 'file'), field(obj, 'file'));
      return file === undefined ? undefined : { kind, file: file.name };
    }
  }
}

/** `write`, refusing a read of a mutex: a mutex has one mode. */
function checkLockMode(c: Context, path: string, value: unknown, lock: LockTargetSpec | undefined): boolean | undefined {
  const write = asBoolean(c.r, path, value, 'write (for write, or false for read)');
  const mutex = lock?.kind === 'named' && c.locks.get(lock.name) === 'mutex';
  if (write === false && mutex) {
    c.r.add(path, `${lock.kind === 'named' ? lock.name : 'the lock'} is a mutex: it has no read mode (write: true)`);
    return undefined;
  }
  return write;
}

/** A mapping's reported fault handler: it maps page-cache pages, so the pages it can fault must be cached. */
function checkFault(
  c: Context,
  path: string,
  value: unknown,
  m: { file: { name: string; info: FileInfo } | undefined; pages: number | undefined; pgoff: number | undefined },
): FaultSpec | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a fault handler');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, FAULT_FIELDS, 'a fault handler');
  const handler = asString(r, member(path, 'handler'), field(obj, 'handler'), 1, LIMITS.symbol, 'the handler’s kernel name');
  const list = asArray(r, member(path, 'locks'), field(obj, 'locks'), 0, LIMITS.faultLocks, 'locks');
  const locks = list?.map((v, i): FaultLockSpec | undefined => {
    const at = index(member(path, 'locks'), i);
    const o = asObject(r, at, v, 'a lock the handler takes');
    if (o === undefined) return undefined;
    onlyKnown(r, at, o, FAULT_LOCK_FIELDS, 'a lock the handler takes');
    const lock = checkLockTarget(c, member(at, 'lock'), field(o, 'lock'), false);
    const write = checkLockMode(c, member(at, 'write'), field(o, 'write'), lock);
    const fn = checkSymbol(c, member(at, 'at'), field(o, 'at'), 'the kernel function that takes it');
    if (lock === undefined || write === undefined || fn === undefined) return undefined;
    return { lock, write, ...(fn === null ? {} : { at: fn }) };
  });
  if (m.file !== undefined && m.pages !== undefined && m.pgoff !== undefined) {
    for (let k = m.pgoff; k < m.pgoff + m.pages; k++) {
      const state = m.file.info.states[k];
      if (state !== undefined && state !== 'cached') {
        r.add(member(path, 'handler'), `a reported fault handler maps the page-cache page, but ${m.file.name}:${k} is ${state}: make the mapped pages cached`);
        break;
      }
    }
  }
  if (handler === undefined || locks === undefined || locks.some((l) => l === undefined)) return undefined;
  return { handler, locks: locks.filter((l) => l !== undefined) };
}

/** Every entry of a program, nested ones included, in pre-order, with its path. */
function entriesOf(programPath: string, program: readonly (SyscallSpec | undefined)[]): { sys: SyscallSpec | undefined; path: string }[] {
  return program.flatMap((sys, i) => {
    const path = index(programPath, i);
    return [{ sys, path }, ...(sys?.call === 'lock' ? entriesOf(member(path, 'body'), sys.body) : [])];
  });
}

function checkTask(c: Context, path: string, value: unknown): TaskDraft | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a task');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, TASK_FIELDS, 'a task');
  const pid = asInt(r, member(path, 'pid'), field(obj, 'pid'), 1, LIMITS.maxPid, 'the pid');
  const process = asInt(r, member(path, 'process'), field(obj, 'process'), 0, LIMITS.processes - 1, 'the process');
  const rawNode = field(obj, 'node');
  let node = rawNode === undefined ? 0 : asInt(r, member(path, 'node'), rawNode, 0, LIMITS.nodes - 1, 'the node');
  if (node !== undefined && node >= c.nodes) {
    r.add(member(path, 'node'), c.nodes === 1 ? `node ${node} does not exist: the scenario has one node (0); set nodes to have more` : `node ${node} does not exist: the scenario has nodes 0 to ${c.nodes - 1}`);
    node = undefined;
  }
  const programPath = member(path, 'program');
  const list = asArray(r, programPath, field(obj, 'program'), 1, LIMITS.program, 'syscalls');
  const program = list?.map((entry, i) => checkSyscall(c, index(programPath, i), entry));
  if (process !== undefined) c.processes.add(process);
  return { path, pid, process, node, nodeGiven: rawNode !== undefined, program };
}

/**
 * Buffers and touched pages must be mapped in the task's process: by a
 * `mappings` entry, by an mmap earlier in the same program, or by an mmap in
 * another task of the process (which the schedule may run first; if it does
 * not, the access finds no VMA, as it would in the kernel).
 */
function checkUserAccesses(c: Context, tasks: readonly TaskDraft[]): void {
  const fromMappings = new Map<number, UserRange[]>();
  for (const [process, list] of c.mapped) fromMappings.set(process, [...list]);
  // Every mmap call claims its range first, so overlaps are refused whatever order tasks run in.
  const mmaps = new Map<TaskDraft, { at: number; range: UserRange }[]>();
  for (const task of tasks) {
    const ranges: { at: number; range: UserRange }[] = [];
    entriesOf(member(task.path, 'program'), task.program ?? []).forEach(({ sys, path }, i) => {
      if (sys?.call !== 'mmap' || task.process === undefined) return;
      const range = { from: sys.at, pages: sys.len, source: `the mmap at ${path}` };
      const before = c.mapped.get(task.process)?.length ?? 0;
      addMapped(c, member(path, 'at'), task.process, range);
      if ((c.mapped.get(task.process)?.length ?? 0) > before) ranges.push({ at: i, range });
    });
    mmaps.set(task, ranges);
  }
  for (const task of tasks) {
    const process = task.process;
    if (process === undefined || task.program === undefined) continue;
    const others = tasks.filter((t) => t !== task && t.process === process).flatMap((t) => (mmaps.get(t) ?? []).map((m) => m.range));
    const own = mmaps.get(task) ?? [];
    entriesOf(member(task.path, 'program'), task.program).forEach(({ sys, path }, i) => {
      if (sys === undefined) return;
      const visible = [...(fromMappings.get(process) ?? []), ...others, ...own.filter((m) => m.at < i).map((m) => m.range)];
      const isMapped = (vpage: number) => visible.some((m) => vpage >= m.from && vpage < m.from + m.pages);
      if (sys.call === 'pread' || sys.call === 'pwrite') {
        for (let vpage = sys.buf; vpage < sys.buf + sys.len; vpage++) {
          if (isMapped(vpage)) continue;
          const what = sys.len === 1 ? `the buffer, user page ${vpage},` : `user page ${vpage} of the buffer (${pagesText(sys.buf, sys.len)})`;
          c.r.add(member(path, 'buf'), `${what} is not mapped in process ${process}${mappedText(visible)}`);
          break;
        }
      } else if (sys.call === 'touch' && !isMapped(sys.vpage)) {
        c.r.add(member(path, 'vpage'), `user page ${sys.vpage} is not mapped in process ${process}${mappedText(visible)}`);
      } else if (sys.call === 'copy' && !isMapped(sys.buf)) {
        c.r.add(member(path, 'buf'), `user page ${sys.buf} is not mapped in process ${process}${mappedText(visible)}`);
      }
    });
  }
}

function mappedText(ranges: readonly UserRange[]): string {
  if (ranges.length === 0) return ': it maps nothing (add a mapping, or an mmap before this call)';
  const list = [...ranges].sort((a, b) => a.from - b.from).map((m) => (m.pages === 1 ? `${m.from}` : `${m.from}–${m.from + m.pages - 1}`));
  return ` (mapped: user pages ${list.join(', ')})`;
}

/** A task whose pid is known, even if the rest of it is not valid: schedules and returns refer to it. */
interface KnownTask {
  readonly pid: Pid;
  readonly syscalls: number;
}

function checkTasks(c: Context, value: unknown): { tasks: TaskSpec[] | undefined; known: KnownTask[] | undefined } {
  const { r } = c;
  const list = asArray(r, 'tasks', value, 1, LIMITS.tasks, 'tasks');
  if (list === undefined) return { tasks: undefined, known: undefined };
  const drafts = list.map((t, i) => checkTask(c, index('tasks', i), t));
  const seen = new Map<number, number>();
  const processNode = new Map<number, { node: number; pid: Pid | undefined }>();
  drafts.forEach((t, i) => {
    if (t?.pid !== undefined) {
      const first = seen.get(t.pid);
      if (first !== undefined) r.add(member(t.path, 'pid'), `duplicate pid ${t.pid}: tasks[${first}] has it too`);
      else seen.set(t.pid, i);
    }
    // An mm cannot span machines: threads of one process run on one node.
    if (t?.process !== undefined && t.node !== undefined) {
      const other = processNode.get(t.process);
      if (other === undefined) processNode.set(t.process, { node: t.node, pid: t.pid });
      else if (other.node !== t.node) r.add(member(t.path, 'node'), `process ${t.process} already runs on node ${other.node} (pid ${other.pid ?? '?'}): the tasks of one process share its mm and must be on one node`);
    }
  });
  checkUserAccesses(c, drafts.filter((t) => t !== undefined));
  const known = drafts.flatMap((t) => (t?.pid === undefined ? [] : [{ pid: t.pid, syscalls: t.program?.length ?? LIMITS.program }]));
  const tasks: TaskSpec[] = [];
  for (const t of drafts) {
    if (t === undefined || t.pid === undefined || t.process === undefined || t.node === undefined || t.program === undefined) return { tasks: undefined, known };
    const program = t.program.filter((s) => s !== undefined);
    if (program.length !== t.program.length) return { tasks: undefined, known };
    tasks.push(t.nodeGiven ? { pid: t.pid, process: t.process, node: t.node, program } : { pid: t.pid, process: t.process, program });
  }
  return { tasks, known };
}

function checkExpectation(c: Context, path: string, value: unknown, tasks: readonly KnownTask[] | undefined): Expectation | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'an expectation');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, EXPECTATION_FIELDS, 'an expectation');
  const kind = asOneOf(r, member(path, 'kind'), field(obj, 'kind'), OUTCOMES, 'the outcome kind');
  const summary = asString(r, member(path, 'summary'), field(obj, 'summary'), 0, LIMITS.summary, 'the summary');
  const basis = asOneOf(r, member(path, 'basis'), field(obj, 'basis'), BASES, 'the basis');
  let ok = kind !== undefined && summary !== undefined && basis !== undefined;

  /** Check each entry of an optional record field; says whether the field is present. */
  const records = (key: string, check: (entryPath: string, key: string, v: unknown) => boolean): boolean => {
    const raw = field(obj, key);
    if (raw === undefined) return false;
    const recPath = member(path, key);
    const rec = asObject(r, recPath, raw, key);
    if (rec === undefined) ok = false;
    else for (const k of Object.keys(rec)) if (!check(`${recPath}[${quote(k)}]`, k, field(rec, k))) ok = false;
    return true;
  };

  const returns: Record<string, readonly number[]> = {};
  const hasReturns = records('returns', (at, key, v) => {
    const task = tasks?.find((t) => String(t.pid) === key);
    if (tasks !== undefined && task === undefined) {
      r.add(at, `${quote(key)} is not the pid of any task (pids: ${tasks.map((t) => t.pid).join(', ')})`);
      return false;
    }
    const list = asArray(r, at, v, 0, LIMITS.program, 'syscall returns');
    if (list === undefined) return false;
    if (task !== undefined && list.length > task.syscalls) {
      r.add(at, `${plural(list.length, 'return')} for pid ${key}, whose program has ${plural(task.syscalls, 'syscall')}`);
      return false;
    }
    const values: number[] = [];
    list.forEach((n, i) => {
      const ret = asInt(r, index(at, i), n, -4096, Number.MAX_SAFE_INTEGER, 'a return value (bytes, 0, or -errno)');
      if (ret !== undefined) values.push(ret);
    });
    returns[key] = values;
    return values.length === list.length;
  });

  const userPages: Record<string, string> = {};
  const hasUserPages = records('userPages', (at, key, v) => {
    const m = /^(\d{1,3}):(\d{1,3})$/.exec(key);
    const tag = asString(r, at, v, 1, LIMITS.contentTag, 'the content tag');
    if (m === null) {
      r.add(at, `${quote(key)} is not '<process>:<user page>', like '0:1'`);
      return false;
    }
    const process = Number(m[1]);
    const vpage = Number(m[2]);
    if (!c.processes.has(process)) {
      r.add(at, `process ${process} does not exist: no task or mapping uses it`);
      return false;
    }
    if (vpage >= LIMITS.userPages) {
      r.add(at, `user page ${vpage} is past the last user page (${LIMITS.userPages - 1})`);
      return false;
    }
    if (tag === undefined) return false;
    userPages[`${process}:${vpage}`] = tag;
    return true;
  });

  const filePages: Record<string, string> = {};
  const hasFilePages = records('filePages', (at, key, v) => {
    const m = /^([^:]*):(\d{1,2})$/.exec(key);
    const tag = asString(r, at, v, 1, LIMITS.contentTag, 'the content tag');
    const name = m?.[1];
    if (m === null || name === undefined) {
      r.add(at, `${quote(key)} is not '<file>:<page index>', like 'F:1'`);
      return false;
    }
    const file = c.files.get(name);
    const page = Number(m[2]);
    if (file === undefined) {
      r.add(at, `no file named ${quote(name)}`);
      return false;
    }
    if (page >= file.maxPages) {
      r.add(at, `${name} never has a page ${page}: it has ${plural(file.maxPages, 'page')} at most`);
      return false;
    }
    if (tag === undefined) return false;
    filePages[key] = tag;
    return true;
  });

  if (!ok || kind === undefined || summary === undefined || basis === undefined) return undefined;
  return {
    kind,
    summary,
    ...(hasReturns ? { returns } : {}),
    ...(hasUserPages ? { userPages } : {}),
    ...(hasFilePages ? { filePages } : {}),
    basis,
  };
}

function checkSchedule(c: Context, path: string, value: unknown, variants: readonly VariantId[] | undefined, tasks: readonly KnownTask[] | undefined, names: Set<string>): NamedSchedule | undefined {
  const { r } = c;
  const obj = asObject(r, path, value, 'a schedule');
  if (obj === undefined) return undefined;
  onlyKnown(r, path, obj, SCHEDULE_FIELDS, 'a schedule');
  let name = asString(r, member(path, 'name'), field(obj, 'name'), 1, LIMITS.scheduleName, 'the schedule name');
  if (name !== undefined && names.has(name)) {
    r.add(member(path, 'name'), `another schedule is already named ${quote(name)}`);
    name = undefined;
  }
  if (name !== undefined) names.add(name);
  const description = asString(r, member(path, 'description'), field(obj, 'description'), 0, LIMITS.description, 'the description');

  const stepsPath = member(path, 'steps');
  const rawSteps = asArray(r, stepsPath, field(obj, 'steps'), 0, LIMITS.steps, 'pids');
  const pids = tasks?.map((t) => t.pid);
  const steps: Pid[] = [];
  let unknownPids = 0;
  rawSteps?.forEach((v, i) => {
    const pid = asInt(r, index(stepsPath, i), v, 1, LIMITS.maxPid, 'a pid');
    if (pid === undefined) return;
    // One message per stranger is enough; a long schedule naming it everywhere would bury the rest.
    if (pids !== undefined && !pids.includes(pid)) {
      if (unknownPids++ === 0) r.add(index(stepsPath, i), `${pid} is not the pid of any task (pids: ${pids.join(', ')})`);
      return;
    }
    steps.push(pid);
  });

  const expectPath = member(path, 'expect');
  const rawExpect = asObject(r, expectPath, field(obj, 'expect'), 'expect (variant → expected outcome)');
  const expect: Partial<Record<VariantId, Expectation>> = {};
  let expectOk = rawExpect !== undefined;
  if (rawExpect !== undefined) {
    for (const key of Object.keys(rawExpect)) {
      const at = `${expectPath}[${quote(key)}]`;
      const variant = findVariant(key);
      if (variant === undefined) {
        r.add(at, `unknown variant ${quote(key)} (variants: ${VARIANTS.map((v) => v.id).join(', ')})`);
        expectOk = false;
        continue;
      }
      if (variants !== undefined && !variants.includes(variant.id)) {
        r.add(at, `${variant.id} is not one of the scenario's variants (${variants.join(', ')})`);
        expectOk = false;
        continue;
      }
      const expectation = checkExpectation(c, at, field(rawExpect, key), tasks);
      if (expectation === undefined) expectOk = false;
      else expect[variant.id] = expectation;
    }
  }
  if (name === undefined || description === undefined || rawSteps === undefined || steps.length !== rawSteps.length || !expectOk) return undefined;
  return { name, description, steps, expect };
}

export function checkScenario(r: Report, input: unknown): Scenario | undefined {
  const obj = asObject(r, '', input, 'a scenario');
  if (obj === undefined) return undefined;
  onlyKnown(r, '', obj, SCENARIO_FIELDS, 'a scenario');
  const format = field(obj, 'format');
  if (format !== undefined && format !== SCENARIO_FORMAT) r.add('format', `unsupported format ${describe(format)}: this version of Faultline reads format ${SCENARIO_FORMAT}`);

  let id = asString(r, 'id', field(obj, 'id'), 1, LIMITS.idLength, 'the id');
  if (id !== undefined && !ID_PATTERN.test(id)) {
    r.add('id', `${quote(id)} is not a valid id: use up to 64 lowercase letters, digits and hyphens, starting with a letter or digit`);
    id = undefined;
  }
  const title = asString(r, 'title', field(obj, 'title'), 1, LIMITS.title, 'the title');
  const story = asString(r, 'story', field(obj, 'story'), 0, LIMITS.story, 'the story');

  const fs = asOneOf(r, 'fs', field(obj, 'fs'), FILESYSTEMS, 'the filesystem');
  const c: Context = { r, fs, nodes: 1, files: new Map(), mapped: new Map(), processes: new Set(), locks: new Map() };

  const rawVariants = asArray(r, 'variants', field(obj, 'variants'), 1, VARIANTS.length, 'variants');
  const variants: VariantId[] = [];
  rawVariants?.forEach((v, i) => {
    const at = index('variants', i);
    const name = asString(r, at, v, 1, 64, 'a variant id');
    if (name === undefined) return;
    const variant = findVariant(name);
    if (variant === undefined) r.add(at, `unknown variant ${quote(name)} (variants: ${VARIANTS.map((x) => x.id).join(', ')})`);
    else if (variants.includes(variant.id)) r.add(at, `${variant.id} is listed twice`);
    else if (fs !== undefined && !variantFitsFs(variant.flags.fs, fs)) r.add(at, `${variant.id} is ${variant.flags.fs === 'ext2-dax' || variant.flags.fs === 'ext4' ? 'an' : 'a'} ${variant.flags.fs} variant, but the scenario's fs is ${fs}`);
    else variants.push(variant.id);
  });

  const rawNodes = field(obj, 'nodes');
  const nodes = rawNodes === undefined ? undefined : asInt(r, 'nodes', rawNodes, 1, LIMITS.nodes, 'the number of cluster nodes');
  if (nodes !== undefined && nodes > 1 && fs !== undefined && fs !== 'gfs2') r.add('nodes', `${fs} is a local filesystem: only a gfs2 scenario can have more than one node, not ${nodes}`);
  c.nodes = nodes ?? 1;

  const rawBlockSize = field(obj, 'blockSize');
  const blockSize = rawBlockSize === undefined ? undefined : asInt(r, 'blockSize', rawBlockSize, 1, Number.MAX_SAFE_INTEGER, 'the block size in bytes');
  if (blockSize !== undefined && blockSize !== PAGE_SIZE) {
    if (fs === 'ext2-dax') r.add('blockSize', `DAX needs blockSize ${PAGE_SIZE}, not ${blockSize}: the kernel "can only do DAX for blocksizes that are equal to PAGE_SIZE" (${PAGE_SIZE} bytes)`);
    else r.add('blockSize', `blockSize must be ${PAGE_SIZE}, not ${blockSize}: one page = one block is the only geometry modelled (PAGE_SIZE is ${PAGE_SIZE})`);
  }

  const rawFree = field(obj, 'freeBlocks');
  const freeBlocks = rawFree === undefined ? undefined : asInt(r, 'freeBlocks', rawFree, 0, LIMITS.freeBlocks, 'the number of free blocks');

  const rawFiles = asArray(r, 'files', field(obj, 'files'), 1, LIMITS.files, 'files');
  const files = rawFiles?.map((f, i) => checkFile(c, index('files', i), f));

  const rawLocks = field(obj, 'locks');
  const lockList = rawLocks === undefined ? [] : asArray(r, 'locks', rawLocks, 0, LIMITS.locks, 'named locks');
  const locks = lockList?.map((l, i) => checkLockSpec(c, index('locks', i), l));

  const rawMappings = asArray(r, 'mappings', field(obj, 'mappings'), 0, LIMITS.mappings, 'mappings');
  const mappings = rawMappings?.map((m, i) => checkMapping(c, index('mappings', i), m, i));

  const { tasks, known } = checkTasks(c, field(obj, 'tasks'));

  const rawSchedules = asArray(r, 'schedules', field(obj, 'schedules'), 0, LIMITS.schedules, 'schedules');
  const names = new Set<string>();
  const schedules = rawSchedules?.map((s, i) => checkSchedule(c, index('schedules', i), s, rawVariants === undefined ? undefined : variants, known, names));

  const rawSources = asArray(r, 'sources', field(obj, 'sources'), 0, LIMITS.sources, 'sources');
  const sources = rawSources?.map((s, i) => asString(r, index('sources', i), s, 1, LIMITS.source, 'a source'));

  if (
    r.errors.length > 0 ||
    id === undefined ||
    title === undefined ||
    story === undefined ||
    fs === undefined ||
    files === undefined ||
    locks === undefined ||
    mappings === undefined ||
    tasks === undefined ||
    schedules === undefined ||
    sources === undefined
  ) {
    return undefined;
  }
  const defined = <T>(list: readonly (T | undefined)[]): T[] => list.filter((x): x is T => x !== undefined);
  return {
    id,
    title,
    story,
    fs,
    variants,
    ...(nodes !== undefined ? { nodes } : {}),
    ...(blockSize !== undefined ? { blockSize } : {}),
    ...(freeBlocks !== undefined ? { freeBlocks } : {}),
    files: defined(files),
    ...(rawLocks === undefined ? {} : { locks: defined(locks) }),
    mappings: defined(mappings),
    tasks,
    schedules: defined(schedules),
    sources: defined(sources),
  };
}
