/**
 * The rules of the scenario format (docs/scenario-format.md) that a schema
 * cannot state: what the scenario's parts must agree on. A mapping's or a
 * syscall's file exists and is long enough, a buffer is mapped in the task's
 * process, pids are unique and a schedule names only them, one process runs
 * on one node, a variant fits the filesystem, short extents and a fault
 * handler's pages fit the kernel that reads them. The shape of every field
 * (types, ranges, required and unknown fields) is schema.ts's; these rules
 * read only the fields that have it (`valid`), so a field with a bad shape
 * is reported once, there, and not again where it is used.
 */
import { PAGE_SIZE, type Pid } from '../../kernel/ids.ts';
import { VARIANTS, findVariant, isPageCacheFs, variantFitsFs, type Filesystem, type VariantId } from '../../kernel/variants.ts';
import type { LockSpec, LockTargetSpec, PageState, SyscallSpec } from '../types.ts';
import type { Obj, Report } from './fields.ts';
import { field, index, member, pagesText, plural, quote } from './fields.ts';
import {
  FAULT_LOCK_ENTRIES,
  FILE_ENTRIES,
  LIMITS,
  LOCK_ENTRIES,
  MAPPING_ENTRIES,
  SCENARIO_ENTRIES,
  SCHEDULE_ENTRIES,
  SYSCALL_ENTRIES,
  TASK_ENTRIES,
  faultedPage,
  fileRef,
  lockTarget,
  shortExtent,
  stepPid,
  syscall,
  valid,
  variantId,
  walkInput,
} from './schema.ts';

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
  /** Each entry as the schema reads it; undefined where its shape is wrong. */
  readonly program: readonly (SyscallSpec | undefined)[] | undefined;
  /** How many syscalls the program has, when its length fits the format. */
  readonly syscalls: number | undefined;
}

/** Everything the later sections check against. */
interface Context {
  readonly r: Report;
  readonly fs: Filesystem | undefined;
  readonly nodes: number;
  readonly files: Map<string, FileInfo>;
  /** Mapped user page ranges per process, from `mappings` and from mmap calls. */
  readonly mapped: Map<number, UserRange[]>;
  readonly processes: Set<number>;
  /** Named locks by name: whether each is a mutex or an rwsem. */
  readonly locks: Map<string, LockSpec['kind']>;
}

/** Keys valibot leaves out of every object on purpose, which no object of the format has either. */
const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entries of a list, whatever its length (the schema judges that). */
function entries(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? Array.from(value) : [];
}

/** The own keys of an object the rules iterate (a record's), without the reserved ones. */
function keysOf(value: Obj): string[] {
  return Object.keys(value).filter((key) => !RESERVED_KEYS.includes(key));
}

/**
 * `__proto__`, `constructor` and `prototype` as fields, anywhere: valibot
 * skips them rather than report them, and JSON.parse makes `__proto__` an
 * own field, so they are refused here, as any other unknown field is.
 */
function reservedKeys(r: Report, input: unknown): void {
  walkInput(input, (path, key) => {
    if (typeof key !== 'string' || !RESERVED_KEYS.includes(key)) return true;
    r.add(path, `unknown field ${quote(key)}: no object of a scenario has it`);
    return false;
  });
}

function checkFile(c: Context, path: string, value: unknown): void {
  if (!isObj(value)) return;
  const { r } = c;
  let name = valid(FILE_ENTRIES.name, field(value, 'name'));
  if (name !== undefined && c.files.has(name)) {
    r.add(member(path, 'name'), `a file named ${name} is already defined`);
    name = undefined;
  }
  const rawPages = field(value, 'pages');
  const pages = valid(FILE_ENTRIES.pages, rawPages);
  // Without a page list of a valid length, range checks use the limit.
  const count = Array.isArray(rawPages) && rawPages.length >= 1 && rawPages.length <= LIMITS.filePages ? rawPages.length : LIMITS.filePages;
  const rawShort = field(value, 'shortExtents');
  if (Array.isArray(rawShort)) {
    const shortPath = member(path, 'shortExtents');
    if (rawShort.length > 0 && c.fs !== undefined && c.fs !== 'ext2-dax') r.add(shortPath, 'short extents are a DAX get_block case: only ext2-dax scenarios may have them');
    const seen: number[] = [];
    entries(rawShort).forEach((v, i) => {
      const at = index(shortPath, i);
      const page = valid(shortExtent, v);
      if (page === undefined) return;
      if (page > count - 1) return void r.add(at, `a page index of this file must be from 0 to ${count - 1}, not ${page}`);
      if (seen.includes(page)) r.add(at, `page ${page} is listed twice`);
      seen.push(page);
      const state = pages?.[page];
      if (state !== undefined && state !== 'disk' && state !== 'cached') r.add(at, `page ${page} is a ${state}: only a page with a block ('disk' or 'cached') can have a short extent`);
    });
  }
  // A file with bad pages is still registered, so references to it do not cascade into "no file named F".
  if (name !== undefined) c.files.set(name, { pages: count, maxPages: count, states: pages ?? [] });
}

/** The file a syscall or mapping names, or undefined (after saying why, if it names one that does not exist). */
function checkFileRef(c: Context, path: string, value: unknown): { name: string; info: FileInfo } | undefined {
  const name = valid(fileRef, value);
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

function checkMapping(c: Context, path: string, value: unknown, i: number): void {
  if (!isObj(value)) return;
  const { r } = c;
  const process = valid(MAPPING_ENTRIES.process, field(value, 'process'));
  const file = checkFileRef(c, member(path, 'file'), field(value, 'file'));
  const at = valid(MAPPING_ENTRIES.at, field(value, 'at'));
  const pages = valid(MAPPING_ENTRIES.pages, field(value, 'pages'));
  const rawPgoff = field(value, 'pgoff');
  const pgoff = rawPgoff === undefined ? 0 : valid(MAPPING_ENTRIES.pgoff, rawPgoff);
  if (file !== undefined && pgoff !== undefined && pages !== undefined && pgoff + pages > file.info.pages) {
    r.add(member(path, 'pages'), `maps file ${pagesText(pgoff, pages)} of ${file.name}, which has ${plural(file.info.pages, 'page')}`);
  }
  if (at !== undefined && pages !== undefined && checkUserEnd(c, member(path, 'pages'), at, pages) && process !== undefined) {
    addMapped(c, member(path, 'at'), process, { from: at, pages, source: `mappings[${i}]` });
  }
  if (process !== undefined) c.processes.add(process);
  const m = { file, at, pages, pgoff };
  checkFaulted(c, member(path, 'faulted'), field(value, 'faulted'), m);
  const fault = field(value, 'fault');
  if (fault !== undefined) checkFault(c, member(path, 'fault'), fault, m);
}

interface MappingFacts {
  readonly file: { name: string; info: FileInfo } | undefined;
  readonly at: number | undefined;
  readonly pages: number | undefined;
  readonly pgoff: number | undefined;
}

/**
 * The user pages of a mapping that start out in the page tables. Each must
 * lie inside the mapping, and its file page must be one a read fault could
 * have mapped without I/O the run would then skip: in the page cache, or on
 * DAX a block or a hole page. A hole with nothing cached would have been
 * filled by that fault (dax_load_hole, or a zeroed page-cache page on gfs2).
 */
function checkFaulted(c: Context, path: string, value: unknown, m: MappingFacts): void {
  const { r } = c;
  const seen: number[] = [];
  entries(value).forEach((v, i) => {
    const at = index(path, i);
    const vpage = valid(faultedPage, v);
    if (vpage === undefined) return;
    if (seen.includes(vpage)) return void r.add(at, `user page ${vpage} is listed twice`);
    seen.push(vpage);
    if (m.at === undefined || m.pages === undefined || m.pgoff === undefined || m.file === undefined) return;
    if (vpage < m.at || vpage >= m.at + m.pages) return void r.add(at, `user page ${vpage} is outside the mapping (user pages ${m.at} to ${m.at + m.pages - 1})`);
    const page = m.pgoff + vpage - m.at;
    const state = m.file.info.states[page];
    if (state === undefined) return;
    const cachedOnly = c.fs !== 'ext2-dax';
    if (state === 'hole' || (cachedOnly && state === 'disk')) {
      r.add(at, `user page ${vpage} maps ${m.file.name}:${page}, a ${state} with no page in the page cache; a read fault would have ${state === 'hole' ? 'left a zeroed page there' : 'read it into the page cache'}: make it ${state === 'hole' ? 'hole-cached' : 'cached'}`);
    }
  });
}

/** A mapping's reported fault handler: it maps page-cache pages, so the pages it can fault must be cached. */
function checkFault(c: Context, path: string, value: unknown, m: MappingFacts): void {
  if (!isObj(value)) return;
  entries(field(value, 'locks')).forEach((v, i) => {
    const at = index(member(path, 'locks'), i);
    if (!isObj(v)) return;
    const lock = checkLockTarget(c, member(at, 'lock'), field(v, 'lock'), false);
    checkLockMode(c, member(at, 'write'), field(v, 'write'), lock);
  });
  if (m.file !== undefined && m.pages !== undefined && m.pgoff !== undefined) {
    for (let k = m.pgoff; k < m.pgoff + m.pages; k++) {
      const state = m.file.info.states[k];
      if (state !== undefined && state !== 'cached') {
        c.r.add(member(path, 'handler'), `a reported fault handler maps the page-cache page, but ${m.file.name}:${k} is ${state}: make the mapped pages cached`);
        break;
      }
    }
  }
}

function checkLockSpec(c: Context, path: string, value: unknown): void {
  if (!isObj(value)) return;
  let name = valid(LOCK_ENTRIES.name, field(value, 'name'));
  if (name !== undefined && c.locks.has(name)) {
    c.r.add(member(path, 'name'), `${quote(name)} is listed twice`);
    name = undefined;
  }
  const kind = valid(LOCK_ENTRIES.kind, field(value, 'kind'));
  const lockClass = field(value, 'class');
  if (name !== undefined && kind !== undefined && (lockClass === undefined || valid(LOCK_ENTRIES.class, lockClass) !== undefined)) c.locks.set(name, kind);
}

/** A lock a `lock` entry (which may name the task's mmap_lock) or a fault handler takes. */
function checkLockTarget(c: Context, path: string, value: unknown, mmapAllowed: boolean): LockTargetSpec | undefined {
  const lock = valid(lockTarget, value);
  if (lock === undefined) return undefined;
  switch (lock.kind) {
    case 'named':
      if (!c.locks.has(lock.name)) {
        const known = [...c.locks.keys()];
        c.r.add(member(path, 'name'), `no lock ${quote(lock.name)} in locks${known.length > 0 ? ` (locks: ${known.join(', ')})` : ': add it to the scenario’s locks'}`);
        return undefined;
      }
      return lock;
    case 'mmap_lock':
      if (!mmapAllowed) {
        c.r.add(member(path, 'kind'), 'a fault handler runs with mmap_lock already held for read: it cannot take it again');
        return undefined;
      }
      return lock;
    default:
      return checkFileRef(c, member(path, 'file'), lock.file) === undefined ? undefined : lock;
  }
}

/** `write: false` on a mutex: a mutex has one mode. Says whether the mode is allowed. */
function checkLockMode(c: Context, path: string, value: unknown, lock: LockTargetSpec | undefined): boolean {
  const write = valid(FAULT_LOCK_ENTRIES.write, value);
  if (write === false && lock?.kind === 'named' && c.locks.get(lock.name) === 'mutex') {
    c.r.add(path, `${lock.name} is a mutex: it has no read mode (write: true)`);
    return false;
  }
  return true;
}

/**
 * One program entry's rules; whether its buffer is mapped is checked later,
 * per process. Returns the entry when it keeps every rule so far, so that an
 * entry already refused (a read of a file that does not exist) is not also
 * refused for its buffer.
 */
function checkSyscall(c: Context, path: string, value: unknown): SyscallSpec | undefined {
  if (!isObj(value)) return undefined;
  const { r } = c;
  // Set when the entry names something that is not there: its buffer then goes unchecked.
  let refused = false;
  const fileOf = (key: string) => {
    const file = checkFileRef(c, p(key), f(key));
    if (file === undefined) refused = true;
    return file;
  };
  const f = (key: string) => field(value, key);
  const p = (key: string) => member(path, key);
  const call = field(value, 'call');
  switch (call) {
    case 'pread':
    case 'pwrite': {
      const e = SYSCALL_ENTRIES[call];
      // ext4 and xfs are here for page faults against truncate and hole punch; their read_iter and write_iter are not modelled.
      if (c.fs !== undefined && isPageCacheFs(c.fs)) r.add(p('call'), `${call} on ${c.fs} is not modelled: ${c.fs} scenarios may use mmap, loads and stores, truncate and hole punch`);
      const file = fileOf('file');
      const pos = valid(e.pos, f('pos'));
      const len = valid(e.len, f('len'));
      const buf = valid(e.buf, f('buf'));
      if (file !== undefined && pos !== undefined && len !== undefined && pos + len > file.info.pages) {
        const why = call === 'pread' ? 'reads past EOF are not modelled' : 'writes that extend a file are not modelled';
        r.add(pos >= file.info.pages ? p('pos') : p('len'), `${call} of file ${pagesText(pos, len)} runs past the end of ${file.name} (${plural(file.info.pages, 'page')}): ${why}`);
      }
      if (buf !== undefined && len !== undefined) checkUserEnd(c, p('len'), buf, len);
      break;
    }
    case 'truncate': {
      const file = fileOf('file');
      const size = valid(SYSCALL_ENTRIES.truncate.size, f('size'));
      if (file !== undefined && size !== undefined) file.info.maxPages = Math.max(file.info.maxPages, size);
      break;
    }
    case 'punch': {
      const file = fileOf('file');
      const pos = valid(SYSCALL_ENTRIES.punch.pos, f('pos'));
      const len = valid(SYSCALL_ENTRIES.punch.len, f('len'));
      if (file !== undefined && pos !== undefined && len !== undefined && pos + len > file.info.pages) {
        r.add(pos >= file.info.pages ? p('pos') : p('len'), `punch of file ${pagesText(pos, len)} runs past the end of ${file.name} (${plural(file.info.pages, 'page')})`);
      }
      break;
    }
    case 'mmap': {
      const e = SYSCALL_ENTRIES.mmap;
      const file = fileOf('file');
      const pgoff = valid(e.pgoff, f('pgoff'));
      const len = valid(e.len, f('len'));
      const at = valid(e.at, f('at'));
      if (file !== undefined && pgoff !== undefined && len !== undefined && pgoff + len > file.info.pages) {
        r.add(p('len'), `maps file ${pagesText(pgoff, len)} of ${file.name}, which has ${plural(file.info.pages, 'page')}`);
      }
      if (at !== undefined && len !== undefined) checkUserEnd(c, p('len'), at, len);
      break;
    }
    case 'lock': {
      const lock = checkLockTarget(c, p('lock'), f('lock'), true);
      const modeOk = checkLockMode(c, p('write'), f('write'), lock);
      const body = entries(f('body')).map((entry, i) => checkSyscall(c, index(p('body'), i), entry));
      if (lock === undefined || !modeOk || body.includes(undefined)) refused = true;
      break;
    }
    default:
      break;
  }
  return refused ? undefined : valid(syscall, value);
}

/** Every entry of a program, nested ones included, in pre-order, with its path. */
function entriesOf(programPath: string, program: readonly (SyscallSpec | undefined)[]): { sys: SyscallSpec | undefined; path: string }[] {
  return program.flatMap((sys, i) => {
    const path = index(programPath, i);
    return [{ sys, path }, ...(sys?.call === 'lock' ? entriesOf(member(path, 'body'), sys.body) : [])];
  });
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

function checkTask(c: Context, path: string, value: unknown): TaskDraft | undefined {
  if (!isObj(value)) return undefined;
  const pid = valid(TASK_ENTRIES.pid, field(value, 'pid'));
  const process = valid(TASK_ENTRIES.process, field(value, 'process'));
  const rawNode = field(value, 'node');
  let node = rawNode === undefined ? 0 : valid(TASK_ENTRIES.node, rawNode);
  if (node !== undefined && node >= c.nodes) {
    c.r.add(member(path, 'node'), c.nodes === 1 ? `node ${node} does not exist: the scenario has one node (0); set nodes to have more` : `node ${node} does not exist: the scenario has nodes 0 to ${c.nodes - 1}`);
    node = undefined;
  }
  const programPath = member(path, 'program');
  const rawProgram = field(value, 'program');
  // A program of the wrong length is the schema's to report; the rules still read its entries, but not its length (returns are not counted against it).
  const program = Array.isArray(rawProgram) ? entries(rawProgram).map((entry, i) => checkSyscall(c, index(programPath, i), entry)) : undefined;
  const programFits = program !== undefined && program.length >= 1 && program.length <= LIMITS.program;
  if (process !== undefined) c.processes.add(process);
  return { path, pid, process, node, program, syscalls: programFits ? program.length : undefined };
}

/** A task whose pid is known, even if the rest of it is not valid: schedules and returns refer to it. */
interface KnownTask {
  readonly pid: Pid;
  readonly syscalls: number;
}

function checkTasks(c: Context, value: unknown): KnownTask[] | undefined {
  const { r } = c;
  // With no list of tasks of a valid length, nothing is checked against their pids.
  if (!Array.isArray(value) || value.length < 1 || value.length > LIMITS.tasks) return undefined;
  const drafts = entries(value).map((t, i) => checkTask(c, index('tasks', i), t));
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
  return drafts.flatMap((t) => (t?.pid === undefined ? [] : [{ pid: t.pid, syscalls: t.syscalls ?? LIMITS.program }]));
}

function checkExpectation(c: Context, path: string, value: unknown, tasks: readonly KnownTask[] | undefined): void {
  if (!isObj(value)) return;
  const { r } = c;
  /** Each entry of an optional record field. */
  const records = (key: string, check: (entryPath: string, key: string, v: unknown) => void): void => {
    const rec = field(value, key);
    if (!isObj(rec)) return;
    for (const k of keysOf(rec)) check(`${member(path, key)}[${quote(k)}]`, k, field(rec, k));
  };

  records('returns', (at, key, v) => {
    const task = tasks?.find((t) => String(t.pid) === key);
    if (tasks !== undefined && task === undefined) return void r.add(at, `${quote(key)} is not the pid of any task (pids: ${tasks.map((t) => t.pid).join(', ')})`);
    const list = Array.isArray(v) && v.length <= LIMITS.program ? v : undefined;
    if (task !== undefined && list !== undefined && list.length > task.syscalls) r.add(at, `${plural(list.length, 'return')} for pid ${key}, whose program has ${plural(task.syscalls, 'syscall')}`);
  });

  records('userPages', (at, key) => {
    const m = /^(\d{1,3}):(\d{1,3})$/.exec(key);
    if (m === null) return void r.add(at, `${quote(key)} is not '<process>:<user page>', like '0:1'`);
    const process = Number(m[1]);
    const vpage = Number(m[2]);
    if (!c.processes.has(process)) return void r.add(at, `process ${process} does not exist: no task or mapping uses it`);
    if (vpage >= LIMITS.userPages) r.add(at, `user page ${vpage} is past the last user page (${LIMITS.userPages - 1})`);
  });

  records('filePages', (at, key) => {
    const m = /^([^:]*):(\d{1,2})$/.exec(key);
    const name = m?.[1];
    if (m === null || name === undefined) return void r.add(at, `${quote(key)} is not '<file>:<page index>', like 'F:1'`);
    const file = c.files.get(name);
    const page = Number(m[2]);
    if (file === undefined) return void r.add(at, `no file named ${quote(name)}`);
    if (page >= file.maxPages) r.add(at, `${name} never has a page ${page}: it has ${plural(file.maxPages, 'page')} at most`);
  });
}

function checkSchedule(c: Context, path: string, value: unknown, variants: readonly VariantId[] | undefined, tasks: readonly KnownTask[] | undefined, names: Set<string>): void {
  if (!isObj(value)) return;
  const { r } = c;
  const name = valid(SCHEDULE_ENTRIES.name, field(value, 'name'));
  if (name !== undefined && names.has(name)) r.add(member(path, 'name'), `another schedule is already named ${quote(name)}`);
  if (name !== undefined) names.add(name);

  const stepsPath = member(path, 'steps');
  const pids = tasks?.map((t) => t.pid);
  let unknownPids = 0;
  const rawSteps = field(value, 'steps');
  // A schedule is mostly valid pids: one pass of the list's schema, and one per step only when it fails.
  const steps: readonly (number | undefined)[] = valid(SCHEDULE_ENTRIES.steps, rawSteps) ?? entries(rawSteps).map((v) => valid(stepPid, v));
  steps.forEach((pid, i) => {
    // One message per stranger is enough; a long schedule naming it everywhere would bury the rest.
    if (pid !== undefined && pids !== undefined && !pids.includes(pid) && unknownPids++ === 0) r.add(index(stepsPath, i), `${pid} is not the pid of any task (pids: ${pids.join(', ')})`);
  });

  const expect = field(value, 'expect');
  if (!isObj(expect)) return;
  for (const key of keysOf(expect)) {
    const at = `${member(path, 'expect')}[${quote(key)}]`;
    const variant = findVariant(key);
    if (variant === undefined) {
      r.add(at, `unknown variant ${quote(key)} (variants: ${VARIANTS.map((x) => x.id).join(', ')})`);
      continue;
    }
    if (variants !== undefined && !variants.includes(variant.id)) {
      r.add(at, `${variant.id} is not one of the scenario's variants (${variants.join(', ')})`);
      continue;
    }
    checkExpectation(c, at, field(expect, key), tasks);
  }
}

/** Report every rule of the format `input` breaks; its shape is checkShape's to judge. */
export function checkRules(r: Report, input: unknown): void {
  reservedKeys(r, input);
  if (!isObj(input)) return;
  const fs = valid(SCENARIO_ENTRIES.fs, field(input, 'fs'));

  const rawVariants = field(input, 'variants');
  const variants: VariantId[] = [];
  entries(rawVariants).forEach((v, i) => {
    const at = index('variants', i);
    const id = valid(variantId, v);
    const variant = id === undefined ? undefined : findVariant(id);
    if (variant === undefined) return;
    if (variants.includes(variant.id)) r.add(at, `${variant.id} is listed twice`);
    else if (fs !== undefined && !variantFitsFs(variant.flags.fs, fs)) r.add(at, `${variant.id} is ${variant.flags.fs === 'ext2-dax' || variant.flags.fs === 'ext4' ? 'an' : 'a'} ${variant.flags.fs} variant, but the scenario's fs is ${fs}`);
    else variants.push(variant.id);
  });

  const nodes = valid(SCENARIO_ENTRIES.nodes, field(input, 'nodes'));
  if (nodes !== undefined && nodes > 1 && fs !== undefined && fs !== 'gfs2') r.add('nodes', `${fs} is a local filesystem: only a gfs2 scenario can have more than one node, not ${nodes}`);

  const blockSize = valid(SCENARIO_ENTRIES.blockSize, field(input, 'blockSize'));
  if (blockSize !== undefined && blockSize !== PAGE_SIZE) {
    if (fs === 'ext2-dax') r.add('blockSize', `DAX needs blockSize ${PAGE_SIZE}, not ${blockSize}: the kernel "can only do DAX for blocksizes that are equal to PAGE_SIZE" (${PAGE_SIZE} bytes)`);
    else r.add('blockSize', `blockSize must be ${PAGE_SIZE}, not ${blockSize}: one page = one block is the only geometry modelled (PAGE_SIZE is ${PAGE_SIZE})`);
  }

  const c: Context = { r, fs, nodes: nodes ?? 1, files: new Map(), mapped: new Map(), processes: new Set(), locks: new Map() };
  entries(field(input, 'files')).forEach((f, i) => checkFile(c, index('files', i), f));
  entries(field(input, 'locks')).forEach((l, i) => checkLockSpec(c, index('locks', i), l));
  entries(field(input, 'mappings')).forEach((m, i) => checkMapping(c, index('mappings', i), m, i));
  const known = checkTasks(c, field(input, 'tasks'));
  const names = new Set<string>();
  // Expectations are held to the scenario's variants only when its variant list could be read.
  const listed = Array.isArray(rawVariants) && rawVariants.length >= 1 && rawVariants.length <= VARIANTS.length ? variants : undefined;
  entries(field(input, 'schedules')).forEach((s, i) => checkSchedule(c, index('schedules', i), s, listed, known, names));
}
