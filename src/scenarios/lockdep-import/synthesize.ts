/**
 * A lockdep report turned into a scenario the explorer can run: one task per
 * call path the report's stacks show, taking the locks in the order the
 * stacks took them, with the user copies and page faults the stacks went
 * through.
 *
 * How a circular report reads (kernel/locking/lockdep.c: print_circular_bug):
 * the task in the header holds class Y_m and asks for Y_0; the chain lists
 * `-> #m (Y_m)` down to `-> #0 (Y_0)`. The stack under `-> #k` (k ≥ 1) is where
 * Y_k was taken while Y_{k-1} was held (the lock_list entry of the dependency
 * Y_{k-1} → Y_k), and the stack under `-> #0` is the reporting task's own:
 * Y_0 asked for while holding Y_m. So the cycle is Y_0 → Y_1 → … → Y_m → Y_0.
 *
 * Each dependency becomes part of a task. Dependencies whose stacks are one
 * call path (the stack of Y_k's acquisition is the tail of the stack that
 * took Y_{k+1}: ocfs2_page_mkwrite took sb_pagefaults, then ip_alloc_sem)
 * are one task that holds the earlier lock while taking the later. A lock
 * asked for by a user copy's might_fault, or by a fault inside a copy, is a
 * `copy` entry that faults for real into the report's mapping; a stack that
 * is a page fault from user mode is a `touch` of that mapping; locks the
 * fault stacks take under mmap_lock are the mapping's reported fault
 * handler's. Every task is a thread of one process, every class one lock
 * (one inode for an inode lock; a directory and a regular file apart when
 * the stacks say which is which), so the cycle lockdep saw between classes
 * is tried on the instances that could close it.
 *
 * Pure: a parsed report in, a validated scenario and the choices made (each
 * with the report line it rests on) out.
 */
import type { Splat, SplatChainEntry, SplatFrame } from '../../sim/splat/types.ts';
import { baseClass, usageHasRead } from '../../sim/splat/parse.ts';
import type { VariantId } from '../../kernel/variants.ts';
import type { FaultLockSpec, LockSpec, LockTargetSpec, Scenario, SyscallSpec, TaskSpec } from '../types.ts';
import { LIMITS, validateScenario } from '../validate.ts';
import { lockNameOf, modelClassOf } from './classes.ts';
import { modeOfAt, readStack, roleOfFunction, samePath, type Mode, type StackReading } from './frames.ts';

export interface SynthesisOptions {
  /**
   * One inode per inode-lock class, whatever the stacks say about
   * directories and regular files: lockdep keeps only the first stack of a
   * dependency, so the same dependency may also exist on the other kind.
   */
  readonly mergeRoles?: boolean;
  /** Keys of lock instances (`Instance.key`) to add a writer for: a task that takes each for write, as mmap() takes mmap_lock. */
  readonly writers?: readonly string[];
}

/** One lock of the scenario: a class of the report on the model's objects. */
export interface Instance {
  /** `mmap_lock`, `i_rwsem:F`, `named:&oi->ip_alloc_sem`. */
  readonly key: string;
  /** The class as the report prints it. */
  readonly cls: string;
  readonly target: LockTargetSpec;
  readonly rwsem: boolean;
  /** In kernel words: `mmap_lock of the process`, `i_rwsem of F (a regular file)`. */
  readonly model: string;
  /** Why it maps so, citing report lines. */
  readonly why: string;
}

export interface Acquisition {
  readonly instance: Instance;
  readonly mode: Mode;
  /** Where the mode comes from: a frame, or "assumed". */
  readonly modeWhy: string;
}

export interface SynthesizedTask {
  readonly pid: number;
  /** The report's part it comes from: `the reporting task (syz.0.0/5152), -> #0`. */
  readonly from: string;
  /** Report lines it rests on. */
  readonly lines: readonly number[];
  /** What it does, in order, in kernel words. */
  readonly steps: readonly string[];
}

export interface Synthesis {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly instances: readonly Instance[];
  readonly tasks: readonly SynthesizedTask[];
  /** The cycle as acquisitions: each class held (first) while the next is asked for (second), around the cycle. */
  readonly cycle: readonly { readonly held: Acquisition; readonly asked: Acquisition; readonly pid: number }[];
  /** An inode-lock class the stacks put on a directory and on a regular file: two inodes here. */
  readonly roleSplit: readonly { readonly cls: string; readonly dir: string; readonly file: string }[];
  /** Two locks of one class that the report shows at different addresses (a recursive report). */
  readonly twoInstances: { readonly cls: string; readonly held: string; readonly asked: string } | null;
  /** Choices and omissions worth telling the user. */
  readonly notes: readonly string[];
}

export type SynthesisResult = { readonly ok: true; readonly synthesis: Synthesis } | { readonly ok: false; readonly message: string };

/** One dependency of the cycle: `from` held while `to` was asked for. */
interface Edge {
  /** The chain entry it comes from (k of `-> #k`). */
  readonly depth: number;
  readonly from: string;
  readonly to: string;
  readonly reading: StackReading;
  readonly stack: readonly SplatFrame[];
  readonly line: number;
}

const FIRST_PID = 101;
/** The file the report's user copies and faults go to, and the user page it is mapped at. */
const MAPPED_FILE = 'F';
const MAPPED_PAGE = 0;

function frameRef(frame: SplatFrame | null): string {
  return frame === null ? '' : `${frame.fn ?? frame.text} (line ${frame.line})`;
}

/** The edges of a circular report's cycle, in chain order (-> #m first). */
function edgesOf(splat: Splat): Edge[] | string {
  const chain = splat.chain;
  if (chain.length < 2) {
    const at = splat.notes.find((n) => n.message.includes('dependency chain'));
    return `the report has ${chain.length === 0 ? 'no' : 'only one'} "-> #N" entr${chain.length === 1 ? 'y' : 'ies'} in its dependency chain${at !== undefined ? ` (${at.message})` : ''}: the stacks that make each dependency are needed`;
  }
  const byDepth = new Map<number, SplatChainEntry>(chain.map((e) => [e.depth, e]));
  const m = chain.length - 1;
  for (let k = 0; k <= m; k++) if (!byDepth.has(k)) return `the dependency chain has no "-> #${k}" entry: it is incomplete`;
  const cls = (k: number) => byDepth.get(k)?.cls ?? '';
  const edges: Edge[] = [];
  for (let k = m; k >= 1; k--) {
    const e = byDepth.get(k);
    if (e === undefined) continue;
    edges.push({ depth: k, from: cls(k - 1), to: cls(k), reading: readStack(e.stack), stack: e.stack, line: e.line });
  }
  const zero = byDepth.get(0);
  if (zero !== undefined) {
    const stack = zero.stack.length > 0 ? zero.stack : splat.backtrace;
    edges.push({ depth: 0, from: cls(m), to: cls(0), reading: readStack(stack), stack, line: zero.line });
  }
  return edges;
}

/** Lock instances for the classes, split by role where the stacks put an inode lock on a directory and on a regular file. */
class Instances {
  readonly list: Instance[] = [];
  readonly locks: LockSpec[] = [];
  readonly files: string[] = [];
  readonly roleSplit: { cls: string; dir: string; file: string }[] = [];
  private readonly names = new Set<string>();
  /** Inode instances by class and kind of inode, and how many files of each kind there are. */
  private readonly inodes = new Map<string, Instance>();
  private readonly inodeCount = { D: 0, F: 0 };

  constructor(
    private readonly readClasses: ReadonlySet<string>,
    private readonly era2015: boolean,
  ) {}

  private file(name: string): string {
    if (!this.files.includes(name)) this.files.push(name);
    return name;
  }

  private add(instance: Instance): Instance {
    const known = this.list.find((i) => i.key === instance.key);
    if (known !== undefined) return known;
    this.list.push(instance);
    return instance;
  }

  /** A new inode file: F, F2, … for regular files, D, D2, … for directories. */
  private inodeFile(dir: boolean): string {
    const prefix = dir ? 'D' : 'F';
    this.inodeCount[prefix]++;
    const n = this.inodeCount[prefix];
    return this.file(n === 1 ? prefix : `${prefix}${n}`);
  }

  /** The instance of `cls` for an acquisition whose stack says `role` ('dir' / 'file' / null); `split` says whether roles are kept apart. */
  of(cls: string, role: 'dir' | 'file' | null, split: boolean, why: string, suffix = ''): Instance {
    const mc = modelClassOf(cls);
    switch (mc.kind) {
      case 'mmap_lock':
        return this.add({ key: 'mmap_lock', cls, target: { kind: 'mmap_lock' }, rwsem: true, model: `${this.era2015 ? 'mmap_sem' : 'mmap_lock'} of the process`, why: `the mm's ${this.era2015 ? 'mmap_sem' : 'mmap_lock'}; every task is a thread of one process, so they share it` });
      case 'i_rwsem': {
        const dir = mc.dir || (split && role === 'dir');
        const inodeKey = `${cls}\u0000${dir ? 'dir' : 'file'}`;
        const existing = this.inodes.get(inodeKey);
        if (existing !== undefined) return existing;
        const file = this.inodeFile(dir);
        const name = this.era2015 ? 'i_mutex' : 'i_rwsem';
        const instance = this.add({ key: `i_rwsem:${file}`, cls, target: { kind: 'i_rwsem', file }, rwsem: !this.era2015, model: `${name} of ${file} (${dir ? 'a directory' : 'a regular file'})`, why: `an inode's ${name}; ${why}` });
        this.inodes.set(inodeKey, instance);
        return instance;
      }
      case 'i_mmap':
        this.file(MAPPED_FILE);
        return this.add({ key: `i_mmap:${MAPPED_FILE}`, cls, target: { kind: 'i_mmap', file: MAPPED_FILE }, rwsem: true, model: `i_mmap_rwsem of ${MAPPED_FILE}`, why: `the mapping's i_mmap lock` });
      case 'invalidate_lock':
        this.file(MAPPED_FILE);
        return this.add({ key: `invalidate_lock:${MAPPED_FILE}`, cls, target: { kind: 'invalidate_lock', file: MAPPED_FILE }, rwsem: true, model: `invalidate_lock of ${MAPPED_FILE}`, why: `the mapping's invalidate_lock` });
      case 'named': {
        // One lock per class; `suffix` asks for a second one of the same class (two addresses in a recursive report).
        const key = `named:${cls}${suffix}`;
        const existing = this.list.find((i) => i.key === key);
        if (existing !== undefined) return existing;
        const name = lockNameOf(cls, this.names);
        this.names.add(name);
        const rwsem = this.readClasses.has(cls);
        this.locks.push({ name, kind: rwsem ? 'rwsem' : 'mutex', class: cls });
        return this.add({
          key,
          cls,
          target: { kind: 'named', name },
          rwsem,
          model: `${rwsem ? 'rwsem' : 'mutex'} ${name}`,
          why: `not a lock the model has: a named sleeping ${rwsem ? 'rwsem (the report shows it taken for read)' : 'mutex (the report never shows it taken for read)'}`,
        });
      }
    }
  }
}

/** Classes the report shows taken for read somewhere: usage bits, a read primitive, an `rlock` line. */
function classesTakenForRead(splat: Splat, edges: readonly Edge[]): Set<string> {
  const read = new Set<string>();
  for (const e of splat.chain) if (usageHasRead(e.usage)) read.add(e.cls);
  for (const l of [splat.acquiring, splat.holding, ...(splat.held ?? []).map((h) => h.lock)]) if (l !== null && usageHasRead(l.usage)) read.add(l.cls);
  for (const s of splat.scenario) if (s.read) read.add(s.cls);
  for (const e of edges) if (e.reading.mode?.mode === 'read') read.add(e.to);
  return read;
}

function era2015Of(splat: Splat): boolean {
  const classes = [splat.acquiring?.cls, splat.holding?.cls, ...splat.chain.map((e) => e.cls)].filter((c): c is string => c !== undefined).map(baseClass);
  if (classes.includes('&mm->mmap_sem')) return true;
  if (classes.includes('&mm->mmap_lock')) return false;
  const m = /^(\d+)\.(\d+)/.exec(splat.release ?? '');
  if (m === null) return splat.header === 'info';
  return Number(m[1]) < 5 || (Number(m[1]) === 5 && Number(m[2]) < 8);
}

/** The mode of the lock a task asked for, from its stack. */
function askedMode(instance: Instance, reading: StackReading, fallbackAt: readonly string[]): { mode: Mode; why: string } {
  if (!instance.rwsem) return { mode: 'write', why: '' };
  if (reading.how !== 'call' && instance.key === 'mmap_lock') return { mode: 'read', why: reading.how === 'might_fault' ? 'might_fault takes it for read' : 'a page fault takes it for read' };
  if (reading.mode !== null) return { mode: reading.mode.mode, why: `${reading.mode.frame.fn ?? ''} (line ${reading.mode.frame.line})` };
  for (const fn of fallbackAt) {
    const mode = modeOfAt(fn);
    if (mode !== null) return { mode, why: `at: ${fn}` };
  }
  return { mode: 'write', why: 'assumed: no frame shows the mode' };
}

/**
 * Whether CPU0's line of the unsafe-scenario table takes `cls` for read.
 * Newer kernels print `rlock(` for a read there (seen in 6.11 reports, not
 * in 6.4 ones); a report that prints no `rlock` anywhere says nothing by
 * printing `lock(`, so that is no evidence either way.
 */
function scenarioSaysRead(splat: Splat, cls: string): boolean | null {
  if (!splat.scenario.some((s) => s.read)) return null;
  return splat.scenario.find((s) => s.cpu === 0 && s.cls === cls)?.read ?? null;
}

/** The mode a held lock was taken in, as far as the report tells. */
function heldMode(instance: Instance, at: readonly string[], reading: StackReading | null, scenarioRead: boolean | null): { mode: Mode; why: string } {
  if (!instance.rwsem) return { mode: 'write', why: '' };
  if (scenarioRead === true) return { mode: 'read', why: 'the scenario table prints rlock' };
  if (instance.key === 'mmap_lock' && reading !== null) {
    if (reading.how === 'user-fault' || reading.how === 'kernel-fault') return { mode: 'read', why: 'held by the page fault' };
    if (reading.mmapWrite !== null) return { mode: 'write', why: `${reading.mmapWrite.fn ?? ''} runs under mmap_write_lock (line ${reading.mmapWrite.line})` };
  }
  for (const fn of at) {
    const mode = modeOfAt(fn);
    if (mode !== null) return { mode, why: `at: ${fn}` };
  }
  if (scenarioRead === false) return { mode: 'write', why: 'the scenario table prints lock, not rlock' };
  return { mode: 'write', why: 'assumed: the report does not show how it was taken' };
}

/** What a task does with one lock: its program entry (a `lock` around the rest, or a copy / touch that faults) and a line of story. */
interface Item {
  readonly instance: Instance;
  readonly mode: Mode;
  readonly modeWhy: string;
  readonly edge: Edge | null;
  /** Taken by the task's copy faulting (might_fault or a fault in kernel mode) or by a user-mode fault: realised as copy / touch. */
  readonly via: 'lock' | 'copy' | 'touch';
  readonly at: string;
  /** The report line it comes from, when no chain entry says (a held lock, a recursive report's locks). */
  readonly line?: number;
}

interface Built {
  readonly program: SyscallSpec[];
  readonly steps: string[];
  /** Locks taken inside the fault (after mmap_lock), for the mapping's handler. */
  readonly faultLocks: { readonly instance: Instance; readonly mode: Mode; readonly at: string }[];
  readonly faultHandler: string | null;
  readonly shared: boolean;
}

/** "for read", "for write", or nothing for a mutex. */
function forMode(mode: Mode, instance: Instance): string {
  return instance.rwsem ? ` for ${mode}` : '';
}

/** Nest the items: each `lock` holds everything after it; a copy or touch ends the nesting, and what follows is the fault handler's. */
function buildProgram(items: readonly Item[], toUser: boolean): Built {
  const steps: string[] = [];
  const faultLocks: Built['faultLocks'] = [];
  let handler: string | null = null;
  let shared = false;
  const build = (at: number): SyscallSpec[] => {
    const item = items[at];
    if (item === undefined) return [];
    if (item.via === 'lock') {
      steps.push(`${item.at}: takes ${item.instance.model}${forMode(item.mode, item.instance)}${item.modeWhy !== '' ? ` (${item.modeWhy})` : ''}${item.edge !== null ? ` — -> #${item.edge.depth}, line ${item.edge.line}` : item.line !== undefined ? ` — line ${item.line}` : ''}`);
      return [{ call: 'lock', lock: item.instance.target, write: item.mode === 'write', at: item.at, body: build(at + 1) }];
    }
    // A copy or a user access that faults: mmap_lock for read in do_page_fault, then the handler takes the rest.
    const rest = items.slice(at + 1);
    for (const r of rest) faultLocks.push({ instance: r.instance, mode: r.mode, at: r.at });
    const fault = item.edge?.reading.fault ?? null;
    if (fault?.shared === true) shared = true;
    if (rest.length > 0) handler = rest[0]?.edge?.reading.taker?.fn ?? null;
    const handled = rest.length > 0 ? `; the fault's handler takes ${rest.map((r) => `${r.instance.model}${forMode(r.mode, r.instance)}`).join(', then ')}` : '';
    const cited = [item, ...rest].flatMap((r) => (r.edge !== null ? [`-> #${r.edge.depth}, line ${r.edge.line}`] : []));
    const cite = cited.length > 0 ? ` — ${[...new Set(cited)].join('; ')}` : '';
    if (item.via === 'copy') {
      const copyTo = item.edge?.reading.toUser?.toUser ?? toUser;
      steps.push(`${item.at}: ${copyTo ? 'copy_to_user' : 'copy_from_user'} of user page ${MAPPED_PAGE} faults: do_page_fault takes ${item.instance.model} for read${handled}${cite}`);
      return [{ call: 'copy', buf: MAPPED_PAGE, write: copyTo, at: item.at }];
    }
    const write = fault?.write ?? false;
    steps.push(`user ${write ? 'store to' : 'load from'} page ${MAPPED_PAGE} faults: do_page_fault takes ${item.instance.model} for read${handled}${cite}`);
    return [{ call: 'touch', vpage: MAPPED_PAGE, write }];
  };
  return { program: build(0), steps, faultLocks, faultHandler: handler, shared };
}

/** How an acquisition of mmap_lock becomes part of a program: through a copy or a user access, or as a plain lock. */
function viaOf(instance: Instance, reading: StackReading): Item['via'] {
  if (instance.key !== 'mmap_lock') return 'lock';
  if (reading.how === 'might_fault' || reading.how === 'kernel-fault') return 'copy';
  if (reading.how === 'user-fault') return 'touch';
  return 'lock';
}

function atOf(reading: StackReading, fallback: string): string {
  return reading.taker?.fn ?? fallback;
}

function copyAt(reading: StackReading): string {
  return reading.toUser?.frame.fn ?? reading.taker?.fn ?? 'copy';
}

interface Group {
  readonly edges: Edge[];
}

/** Consecutive dependencies recorded by one call path: the stack of Y_k's acquisition is the tail of the one that took Y_{k+1}. */
function groupsOf(edges: readonly Edge[]): Group[] {
  const groups: Group[] = [];
  for (const e of edges) {
    const last = groups[groups.length - 1];
    const prev = last?.edges[last.edges.length - 1];
    if (last !== undefined && prev !== undefined && e.depth !== 0 && prev.depth === e.depth + 1 && samePath(e.reading.path, prev.reading.path)) {
      // Chain order is -> #m first: `prev` (#k+1) took its lock inside the path that took #k's. Keep taking order: #k first.
      last.edges.unshift(e);
    } else groups.push({ edges: [e] });
  }
  return groups;
}

function storyOf(splat: Splat, tasks: readonly SynthesizedTask[], notes: readonly string[]): string {
  const head = `Imported from a lockdep report (${splat.kind === 'circular' ? '"possible circular locking dependency detected"' : '"possible recursive locking detected"'}, line ${splat.line}${splat.release !== null ? `, ${splat.release}` : ''}${splat.task !== null ? `, ${splat.task.comm}/${splat.task.pid}` : ''}).`;
  const body = tasks.map((t) => `pid ${t.pid} (${t.from}): ${t.steps.join('; ')}.`);
  const text = [head, ...body, ...notes].join(' ');
  return text.length <= LIMITS.story ? text : `${text.slice(0, LIMITS.story - 1)}…`;
}

function titleOf(splat: Splat, classes: readonly string[]): string {
  const what = splat.kind === 'circular' ? `${classes.join(' → ')} → ${classes[0] ?? ''}` : `${classes[0] ?? ''} taken twice`;
  const text = `lockdep: ${what}`;
  return text.length <= LIMITS.title ? text : `${text.slice(0, LIMITS.title - 1)}…`;
}

/** Does a program copy from or to user memory, or touch it (so the report's mapping must exist)? */
function touchesUser(program: readonly SyscallSpec[]): boolean {
  return program.some((s) => s.call === 'copy' || s.call === 'touch' || (s.call === 'lock' && touchesUser(s.body)));
}

function finish(
  splat: Splat,
  inst: Instances,
  tasks: { spec: TaskSpec; task: SynthesizedTask }[],
  built: readonly Built[],
  era2015: boolean,
  cycle: Synthesis['cycle'],
  notes: string[],
  twoInstances: Synthesis['twoInstances'],
): SynthesisResult {
  if (tasks.length > LIMITS.tasks) return { ok: false, message: `the report needs ${tasks.length} tasks, more than the ${LIMITS.tasks} a scenario may have: the chain is too long to run` };
  const variant: VariantId = era2015 ? 'dax-2015' : 'dax-invalidate-lock';
  const usesMapping = tasks.some((t) => touchesUser(t.spec.program));
  const longest = built.reduce<Built | null>((best, b) => (best === null || b.faultLocks.length > best.faultLocks.length ? b : best), null);
  const handlerLocks: FaultLockSpec[] = (longest?.faultLocks ?? []).map((l) => ({ lock: l.instance.target, write: l.mode === 'write', at: l.at }));
  const distinct = new Set(built.filter((b) => b.faultLocks.length > 0).map((b) => JSON.stringify(b.faultLocks.map((l) => [l.instance.key, l.mode]))));
  if (distinct.size > 1) notes.push('the fault stacks take different locks; the mapping’s handler takes the longest list');
  if (usesMapping && !inst.files.includes(MAPPED_FILE)) inst.files.unshift(MAPPED_FILE);
  const shared = built.some((b) => b.shared);
  const files = (inst.files.length === 0 ? [MAPPED_FILE] : inst.files).map((name) => ({ name, pages: ['cached' as const] }));
  const scenario: Scenario = {
    id: 'lockdep-import',
    title: titleOf(splat, splat.kind === 'circular' ? [...splat.chain].reverse().map((e) => e.cls) : [splat.acquiring?.cls ?? '?']),
    story: storyOf(
      splat,
      tasks.map((t) => t.task),
      notes,
    ),
    fs: 'ext2-dax',
    variants: [variant],
    files,
    ...(inst.locks.length > 0 ? { locks: inst.locks } : {}),
    mappings: usesMapping
      ? [{ process: 0, file: MAPPED_FILE, at: MAPPED_PAGE, pages: 1, shared, fault: { handler: longest?.faultHandler ?? (handlerLocks.length > 0 ? 'vm_ops->fault' : 'filemap_fault'), locks: handlerLocks } }]
      : [],
    tasks: tasks.map((t) => t.spec),
    schedules: [],
    sources: [
      `lockdep report, line ${splat.line}${splat.release !== null ? ` (${splat.release})` : ''}`,
      'kernel/locking/lockdep.c: print_circular_bug, print_circular_bug_entry, print_circular_lock_scenario, print_deadlock_bug, lockdep_print_held_locks',
    ],
  };
  const valid = validateScenario(scenario);
  if (!valid.ok) {
    const first = valid.errors[0];
    return { ok: false, message: `the scenario made from the report is not valid (${first?.path ?? ''}: ${first?.message ?? 'unknown'}): a limit of the format was reached` };
  }
  return {
    ok: true,
    synthesis: { scenario: valid.scenario, variant, instances: inst.list, tasks: tasks.map((t) => t.task), cycle, roleSplit: inst.roleSplit, twoInstances, notes },
  };
}

function writerTasks(inst: Instances, keys: readonly string[], firstPid: number): { spec: TaskSpec; task: SynthesizedTask }[] {
  return keys.flatMap((key, i) => {
    const instance = inst.list.find((x) => x.key === key);
    if (instance === undefined) return [];
    const at = instance.key === 'mmap_lock' ? 'vm_mmap_pgoff' : `a writer of ${instance.cls}`;
    const pid = firstPid + i;
    const why = instance.key === 'mmap_lock' ? 'another thread calls mmap(), which takes it for write (vm_mmap_pgoff)' : 'another task takes it for write';
    return [
      {
        spec: { pid, process: 0, program: [{ call: 'lock', lock: instance.target, write: true, at, body: [] }] },
        task: { pid, from: 'added: a writer', lines: [], steps: [`${at}: takes ${instance.model} for write (${why})`] },
      },
    ];
  });
}

function synthesizeCircular(splat: Splat, options: SynthesisOptions): SynthesisResult {
  const edgesOrWhy = edgesOf(splat);
  if (typeof edgesOrWhy === 'string') return { ok: false, message: edgesOrWhy };
  const edges = edgesOrWhy;
  const notes: string[] = [];
  if (splat.acquiring !== null && edges.at(-1)?.to !== splat.acquiring.cls) notes.push(`the chain's -> #0 is ${edges.at(-1)?.to ?? '?'} but the task asks for ${splat.acquiring.cls}`);
  const era2015 = era2015Of(splat);
  const inst = new Instances(classesTakenForRead(splat, edges), era2015);
  const split = options.mergeRoles !== true;

  // Roles of each inode-lock class: where it is taken (the edge into it) and where it is held (the edge out of it, whose stack is the holder's).
  const roleAt = (edge: Edge): { role: 'dir' | 'file' | null; why: string } => {
    const r = edge.reading.role;
    return r === null ? { role: null, why: '' } : { role: r.role, why: `${r.role === 'dir' ? 'a directory' : 'a regular file'}: ${frameRef(r.frame)}` };
  };
  const roles = new Map<string, { dir: string[]; file: string[] }>();
  for (const e of edges) {
    for (const [cls, role] of [
      [e.to, roleAt(e)],
      [e.from, roleAt(e)],
    ] as const) {
      if (modelClassOf(cls).kind !== 'i_rwsem' || role.role === null) continue;
      const entry = roles.get(cls) ?? { dir: [], file: [] };
      entry[role.role].push(role.why);
      roles.set(cls, entry);
    }
  }
  for (const [cls, r] of roles) {
    if (r.dir.length > 0 && r.file.length > 0) {
      if (split) inst.roleSplit.push({ cls, dir: r.dir[0] ?? '', file: r.file[0] ?? '' });
      else notes.push(`${cls} is taken on a directory (${r.dir[0] ?? ''}) and on a regular file (${r.file[0] ?? ''}); here both are one inode, as if the dependency lockdep printed for the directory were also taken on the file`);
    }
  }
  const instanceAt = (cls: string, edge: Edge): Instance => {
    const role = roleAt(edge);
    const whyRole = role.role === null ? 'the stacks do not say what kind of inode' : role.why;
    return inst.of(cls, role.role, split && inst.roleSplit.some((s) => s.cls === cls), whyRole);
  };

  const groups = groupsOf(edges);
  const cycle: { held: Acquisition; asked: Acquisition; pid: number }[] = [];
  const tasks: { spec: TaskSpec; task: SynthesizedTask }[] = [];
  const built: Built[] = [];
  // The reporting task first (CPU0 of lockdep's sketch), then the chain's paths from -> #1 up.
  const ordered = [...groups.filter((g) => g.edges.some((e) => e.depth === 0)), ...groups.filter((g) => !g.edges.some((e) => e.depth === 0)).reverse()];
  ordered.forEach((group, gi) => {
    const pid = FIRST_PID + gi;
    const first = group.edges[0];
    if (first === undefined) return;
    const isReporter = first.depth === 0;
    const heldInstance = instanceAt(first.from, first);
    const heldAt = isReporter ? (splat.holding?.at ?? []) : [];
    const hm = heldMode(heldInstance, heldAt, first.reading, isReporter ? scenarioSaysRead(splat, first.from) : null);
    const items: Item[] = [
      {
        instance: heldInstance,
        mode: hm.mode,
        modeWhy: hm.why,
        edge: null,
        via: heldInstance.key === 'mmap_lock' && (first.reading.how === 'user-fault' || first.reading.how === 'kernel-fault') ? (first.reading.how === 'user-fault' ? 'touch' : 'copy') : 'lock',
        at: isReporter ? (heldAt[heldAt.length - 1] ?? atOf(first.reading, 'the caller')) : atOf(first.reading, 'the caller'),
        ...(isReporter && splat.holding !== null ? { line: splat.holding.line } : {}),
      },
    ];
    // A fault from user mode holds mmap_lock first: the held item is the access itself; the edge's `via` is then a lock inside the handler.
    for (const e of group.edges) {
      const instance = instanceAt(e.to, e);
      const asked = askedMode(instance, e.reading, isReporter ? (splat.acquiring?.at ?? []) : []);
      const via = viaOf(instance, e.reading);
      items.push({ instance, mode: asked.mode, modeWhy: asked.why, edge: e, via, at: via === 'copy' ? copyAt(e.reading) : atOf(e.reading, 'the caller') });
      const heldItem = items[items.length - 2];
      if (heldItem !== undefined) cycle.push({ held: { instance: heldItem.instance, mode: heldItem.mode, modeWhy: heldItem.modeWhy }, asked: { instance, mode: asked.mode, modeWhy: asked.why }, pid });
    }
    // A user-mode fault: the access is the task; what it takes under mmap_lock is the handler's.
    const firstItem = items[0];
    const realized: Item[] = firstItem !== undefined && firstItem.via === 'touch' ? [{ ...firstItem, edge: first }, ...items.slice(1).map((i) => ({ ...i, via: 'lock' as const }))] : items;
    const b = buildProgram(realized, first.reading.toUser?.toUser ?? true);
    built.push(b);
    const lines = group.edges.flatMap((e) => [e.line, ...e.stack.map((f) => f.line)]);
    const from = isReporter
      ? `the reporting task${splat.task !== null ? ` ${splat.task.comm}/${splat.task.pid}` : ''}, -> #0 and the held lock`
      : group.edges.map((e) => `-> #${e.depth}`).join(' and ');
    tasks.push({ spec: { pid, process: 0, program: b.program }, task: { pid, from, lines: [...new Set(lines)].sort((a, c) => a - c), steps: b.steps } });
  });
  const heldOthers = (splat.held ?? []).filter((h) => !edges.some((e) => e.from === h.lock.cls || e.to === h.lock.cls));
  if (heldOthers.length > 0) notes.push(`left out: locks the reporting task holds that are not in the cycle (${heldOthers.map((h) => `${h.lock.cls}, #${h.index} line ${h.lock.line}`).join('; ')})`);
  if (splat.notes.length > 0) notes.push(...splat.notes.map((n) => `report ${n.line !== null ? `line ${n.line}` : ''}: ${n.message}`));
  tasks.push(...writerTasks(inst, options.writers ?? [], FIRST_PID + tasks.length));
  return finish(splat, inst, tasks, built, era2015, cycle, notes, null);
}

function synthesizeRecursive(splat: Splat, options: SynthesisOptions): SynthesisResult {
  const acquiring = splat.acquiring;
  const holding = splat.holding;
  if (acquiring === null) return { ok: false, message: 'the report names no lock being acquired' };
  if (holding === null) return { ok: false, message: `the report is cut off before "but task is already holding lock:" (after line ${acquiring.line})` };
  const notes: string[] = [];
  const era2015 = era2015Of(splat);
  const reading = readStack(splat.backtrace);
  const read = classesTakenForRead(splat, []);
  if (reading.mode?.mode === 'read') read.add(acquiring.cls);
  const inst = new Instances(read, era2015);
  const sameAddress = acquiring.address === null || holding.address === null || acquiring.address === holding.address;
  if (acquiring.address === null || holding.address === null) notes.push('the report prints no lock addresses (before 4.15): taken to be the same lock');
  const held = inst.of(holding.cls, holding.at.map(roleOfFunction).find((r) => r !== null) ?? null, false, `taken at ${holding.at.join(' → ')} (line ${holding.line})`);
  const asked = sameAddress ? held : inst.of(acquiring.cls, null, false, `a second lock of the class, at ${acquiring.address ?? '?'} (line ${acquiring.line})`, '#2');
  const askedMode_ = askedMode(asked, reading, acquiring.at);
  const hm = heldMode(held, holding.at, null, scenarioSaysRead(splat, holding.cls));
  const heldModeFinal = hm.why.startsWith('assumed') && asked.rwsem ? { mode: askedMode_.mode, why: `assumed: as the second acquisition (${askedMode_.why})` } : hm;
  const items: Item[] = [
    { instance: held, mode: heldModeFinal.mode, modeWhy: heldModeFinal.why, edge: null, via: 'lock', at: holding.at[holding.at.length - 1] ?? 'the caller', line: holding.line },
    { instance: asked, mode: askedMode_.mode, modeWhy: askedMode_.why, edge: null, via: 'lock', at: acquiring.at[acquiring.at.length - 1] ?? 'the caller', line: acquiring.line },
  ];
  const b = buildProgram(items, true);
  const pid = FIRST_PID;
  const others = (splat.held ?? []).filter((h) => h.lock.cls !== holding.cls);
  if (others.length > 0) notes.push(`left out: other locks the task holds (${others.map((h) => `${h.lock.cls}, #${h.index} line ${h.lock.line}`).join('; ')})`);
  if (splat.notes.length > 0) notes.push(...splat.notes.map((n) => `report ${n.line !== null ? `line ${n.line}` : ''}: ${n.message}`));
  const lines = [acquiring.line, holding.line, ...splat.backtrace.map((f) => f.line)];
  const tasks = [{ spec: { pid, process: 0, program: b.program }, task: { pid, from: `the reporting task${splat.task !== null ? ` ${splat.task.comm}/${splat.task.pid}` : ''}`, lines, steps: b.steps } }, ...writerTasks(inst, options.writers ?? [], pid + 1)];
  const cycle = [{ held: { instance: held, mode: heldModeFinal.mode, modeWhy: heldModeFinal.why }, asked: { instance: asked, mode: askedMode_.mode, modeWhy: askedMode_.why }, pid }];
  const two = sameAddress ? null : { cls: acquiring.cls, held: holding.address ?? '?', asked: acquiring.address ?? '?' };
  return finish(splat, inst, tasks, [b], era2015, cycle, notes, two);
}

/** The scenario a lockdep report describes. */
export function synthesize(splat: Splat, options: SynthesisOptions = {}): SynthesisResult {
  return splat.kind === 'circular' ? synthesizeCircular(splat, options) : synthesizeRecursive(splat, options);
}
