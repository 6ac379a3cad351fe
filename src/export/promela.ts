/**
 * Export a scenario under a gfs2 kernel variant as a Promela model that Spin
 * verifies (`spin -a model.pml && cc -DSAFETY -o pan pan.c && ./pan`): for
 * users whose scenarios outgrow the browser, it hands them to an established
 * model checker.
 *
 * Owns: turning a Scenario into the model's data (files, block maps and page
 * cache, mappings and the user pages that are accessed, the tasks and their
 * programs), filled into the harness template `promela/model.pml` with the
 * kernel paths of `promela-lib.ts`.
 * The model mirrors the simulator (src/kernel, src/threads) at lock
 * granularity: glocks per (node, inode) with their holder queues, modes,
 * cross-node demotes, trylocks, may-demote holders and the recursion trap;
 * mmap_lock per process, i_rwsem per inode and page locks as FIFO sleeping
 * locks; i_size, block maps, page cache and page tables, which decide
 * whether a user access faults. Verdicts: a deadlock is Spin's "invalid end
 * state", a BUG (trap_recursive) an assertion violation, a run that ends
 * otherwise no error.
 *
 * Must stay pure engine code: no DOM, no Node, no UI. It never runs Spin.
 */
import type { Variant, VariantId } from '../kernel/variants.ts';
import { findVariant } from '../kernel/variants.ts';
import type { Scenario, SyscallSpec } from '../scenarios/types.ts';
import { validateScenario } from '../scenarios/validate.ts';
import type { Gfs2Fix } from '../kernel/variants.ts';
import { CALLS, fixFlags, kernelPaths, render, type CalleeKind, type Reach } from './promela-lib.ts';
import type { TemplateSources } from './promela-template.ts';

export type PromelaResult = { readonly ok: true; readonly model: string; readonly notes: readonly string[] } | { readonly ok: false; readonly message: string };

/** Page frames are numbered in a byte-sized PTE encoding (2 + 2 × frame + writable). */
const MAX_PAGE_FRAMES = 126;

/** What the model abstracts, stated in the header and returned as notes. */
const ABSTRACTIONS: readonly string[] = [
  'data is not modelled: page contents, content tags, and what user pages show; only what decides locking and faulting is (PTE present / writable / anonymous, page cache, block map, i_size)',
  'page reference counts are not modelled (nothing waits for them)',
  'i_mmap_rwsem is not modelled: in gfs2 only truncate and hole punch take it, under i_rwsem, so it is never contended',
  'syscall return values are not compared: the verdicts are deadlock, BUG, or neither',
  'steps that read and write only the task\'s own registers are merged into the next step (the explorer\'s local reduction does the same); every other atomic step of the simulator is one atomic block',
];

interface TaskInfo {
  readonly t: number;
  readonly pid: number;
  readonly process: number;
  readonly node: number;
  readonly program: readonly SyscallSpec[];
}

interface VmaInfo {
  readonly id: number;
  readonly process: number;
  readonly ino: number;
  readonly start: number;
  readonly pages: number;
  readonly pgoff: number;
  readonly shared: boolean;
  /** Mapped at the start (a `mappings` entry) rather than by an `mmap` call. */
  readonly initial: boolean;
  readonly origin: string;
}

interface SlotInfo {
  readonly e: number;
  readonly process: number;
  readonly vpage: number;
  readonly vma: VmaInfo | undefined;
}

interface Model {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly tasks: readonly TaskInfo[];
  readonly processes: number;
  readonly extent: number;
  readonly vmas: readonly VmaInfo[];
  readonly slots: readonly SlotInfo[];
  readonly initialPages: readonly { readonly ino: number; readonly index: number }[];
  readonly pageFrames: number;
}

const GFS2_FIX = { 'gfs2-5.15': 'none', 'gfs2-rfc-2021': 'rfc', 'gfs2-5.16': '5.16', 'gfs2-5.18': '5.18', 'gfs2-6.4': '6.4' } as const;

function inoOf(scenario: Scenario, name: string): number {
  return scenario.files.findIndex((f) => f.name === name);
}

function describeCall(sys: SyscallSpec): string {
  switch (sys.call) {
    case 'pread':
    case 'pwrite':
      return `${sys.call}64(${sys.file}${sys.direct === true ? ' O_DIRECT' : ''}, buf=user page ${sys.buf}, ${sys.len * 4096}, ${sys.pos * 4096})`;
    case 'truncate':
      return `truncate(${sys.file}, ${sys.size * 4096})`;
    case 'punch':
      return `fallocate(${sys.file}, FALLOC_FL_PUNCH_HOLE, ${sys.pos * 4096}, ${sys.len * 4096})`;
    case 'mmap':
      return `mmap(user page ${sys.at}, ${sys.len * 4096}, ${sys.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}, ${sys.file}, ${sys.pgoff * 4096})`;
    case 'touch':
      return `user ${sys.write ? 'store to' : 'load from'} page ${sys.vpage}`;
    case 'lock':
      return `${sys.at ?? 'lock'}: takes ${sys.lock.kind}`;
    case 'copy':
      return `${sys.at ?? 'copy'}: user copy of page ${sys.buf}`;
  }
}

/** Entries and objects of a lockdep import (issue 19) that the Promela model does not have yet. */
function unsupported(scenario: Scenario): string | null {
  const nested = scenario.tasks.some((t) => t.program.some((s) => s.call === 'lock' || s.call === 'copy'));
  if (nested || (scenario.locks ?? []).length > 0 || scenario.mappings.some((m) => m.fault !== undefined)) {
    return 'the Promela model has no `lock` or `copy` program entries, named locks or reported fault handlers (a lockdep import) yet: explore it in Faultline';
  }
  return null;
}

/** Every VMA that can exist: the initial mappings, then each mmap call, in task and program order. */
function vmasOf(scenario: Scenario, tasks: readonly TaskInfo[]): VmaInfo[] {
  const vmas: VmaInfo[] = scenario.mappings.map((m, id) => ({
    id,
    process: m.process,
    ino: inoOf(scenario, m.file),
    start: m.at,
    pages: m.pages,
    pgoff: m.pgoff ?? 0,
    shared: m.shared,
    initial: true,
    origin: `mapping of ${m.file}`,
  }));
  for (const task of tasks) {
    for (const sys of task.program) {
      if (sys.call !== 'mmap') continue;
      vmas.push({ id: vmas.length, process: task.process, ino: inoOf(scenario, sys.file), start: sys.at, pages: sys.len, pgoff: sys.pgoff, shared: sys.shared, initial: false, origin: `mmap of ${sys.file} by pid ${task.pid}` });
    }
  }
  return vmas;
}

/** The user pages some task accesses, per process: only these can ever have a PTE. */
function slotsOf(tasks: readonly TaskInfo[], vmas: readonly VmaInfo[]): SlotInfo[] {
  const seen = new Set<string>();
  const slots: SlotInfo[] = [];
  const add = (process: number, vpage: number) => {
    const key = `${process}:${vpage}`;
    if (seen.has(key)) return;
    seen.add(key);
    const vma = vmas.find((v) => v.process === process && vpage >= v.start && vpage < v.start + v.pages);
    slots.push({ e: slots.length, process, vpage, vma });
  };
  for (const task of tasks) {
    for (const sys of task.program) {
      if (sys.call === 'pread' || sys.call === 'pwrite') for (let i = 0; i < sys.len; i++) add(task.process, sys.buf + i);
      if (sys.call === 'touch') add(task.process, sys.vpage);
    }
  }
  return slots;
}

/**
 * An upper bound on the page frames a run can create. A task adds a page
 * for (file, index) only after it found that index uncached, and once added
 * the index stays cached until a truncate or punch deletes it; so each task
 * that can add a page there adds at most one per deletion, plus one.
 */
function pageFrameBound(scenario: Scenario, tasks: readonly TaskInfo[], vmas: readonly VmaInfo[], extent: number, initial: number): number {
  let bound = initial;
  scenario.files.forEach((file, ino) => {
    // Truncate and punch delete pages; so does an O_DIRECT write's invalidation (over and over in a retry loop, within the frames new_page reuses).
    const deletions = tasks.reduce((n, t) => n + t.program.filter((s) => (s.call === 'truncate' || s.call === 'punch' || (s.call === 'pwrite' && s.direct === true)) && s.file === file.name).length, 0);
    for (let index = 0; index < extent; index++) {
      const adders = tasks.filter((task) => {
        const byIo = task.program.some((s) => (s.call === 'pwrite' || (s.call === 'pread' && s.direct !== true)) && s.file === file.name && index >= s.pos && index < s.pos + s.len);
        const byFault = vmas.some((v) => v.process === task.process && v.ino === ino && index >= v.pgoff && index < v.pgoff + v.pages);
        return byIo || byFault;
      }).length;
      bound += adders * (1 + deletions);
    }
  });
  return Math.max(1, bound);
}

function modelOf(scenario: Scenario, variant: VariantId): Model {
  const tasks: TaskInfo[] = scenario.tasks.map((t, i) => ({ t: i, pid: t.pid, process: t.process, node: t.node ?? 0, program: t.program }));
  const processes = Math.max(0, ...scenario.tasks.map((t) => t.process), ...scenario.mappings.map((m) => m.process)) + 1;
  const sizes = scenario.tasks.flatMap((t) => t.program.flatMap((s) => (s.call === 'truncate' ? [s.size] : [])));
  const extent = Math.max(1, ...scenario.files.map((f) => f.pages.length), ...sizes);
  const vmas = vmasOf(scenario, tasks);
  const slots = slotsOf(tasks, vmas);
  const initialPages = scenario.files.flatMap((f, ino) => f.pages.flatMap((state, index) => (state === 'cached' || state === 'hole-cached' ? [{ ino, index }] : [])));
  const pageFrames = pageFrameBound(scenario, tasks, vmas, extent, initialPages.length);
  return { scenario, variant, tasks, processes, extent, vmas, slots, initialPages, pageFrames };
}

// ---------------------------------------------------------------------------
// Generated Promela: scenario tables

/** find_vma's options: the VMA behind each PTE slot and the file page it maps. */
function findVmaRows(m: Model): string[] {
  return m.slots.map((s) =>
    s.vma === undefined
      ? `  :: f_e == ${s.e} -> f_vma = 0   /* process ${s.process}, user page ${s.vpage}: no mapping covers it (bad_area) */`
      : `  :: f_e == ${s.e} -> f_vma = vma_on[${s.vma.id}]; f_ino = ${s.vma.ino}; f_index = ${s.vma.pgoff + s.vpage - s.vma.start}; f_shared = ${s.vma.shared ? 1 : 0}   /* process ${s.process}, user page ${s.vpage}: ${s.vma.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} ${m.scenario.files[s.vma.ino]?.name ?? '?'} page ${s.vma.pgoff + s.vpage - s.vma.start} */`,
  );
}

/** slot_of's options: the PTE slot of each user page a task of the process accesses. */
function slotOfRows(m: Model): string[] {
  return m.slots.map((s) => `  :: mm == ${s.process} && (vp) == ${s.vpage} -> cp_e = ${s.e}`);
}

/** unmap_mapping_range's checks: one per PTE slot that a mapping covers. */
function unmapRows(m: Model): string[] {
  return m.slots.flatMap((s) => {
    if (s.vma === undefined) return [];
    const index = s.vma.pgoff + s.vpage - s.vma.start;
    return [`  if :: um_ino == ${s.vma.ino} && ${index} >= um_from && ${index} < um_to && pte[${s.e}] != PTE_NONE && (pte[${s.e}] != PTE_ANON || um_cows) -> pte[${s.e}] = PTE_NONE :: else fi;   /* process ${s.process}, user page ${s.vpage} */`];
  });
}

/** load_syscall's options: each program entry of each task, as the task's registers. */
function loadSyscallRows(m: Model): string[] {
  return m.tasks.flatMap((task) =>
    task.program.flatMap((sys, pc) => {
      const head = `  :: t == ${task.t} && pc == ${pc} ->`;
      const note = `   /* pid ${task.pid}: ${describeCall(sys)} */`;
      switch (sys.call) {
        case 'pread':
        case 'pwrite':
          return [`${head} call = SYS_${sys.call.toUpperCase()}; ino = ${inoOf(m.scenario, sys.file)}; pos = ${sys.pos}; plen = ${sys.len}; buf = ${sys.buf}; direct = ${sys.direct === true ? 1 : 0}${note}`];
        case 'truncate':
          return [`${head} call = SYS_TRUNCATE; ino = ${inoOf(m.scenario, sys.file)}; arg = ${sys.size}${note}`];
        case 'punch':
          return [`${head} call = SYS_PUNCH; ino = ${inoOf(m.scenario, sys.file)}; pos = ${sys.pos}; plen = ${sys.len}${note}`];
        case 'mmap': {
          const vma = m.vmas.find((v) => !v.initial && v.process === task.process && v.start === sys.at);
          return [`${head} call = SYS_MMAP; ino = ${inoOf(m.scenario, sys.file)}; arg = ${vma?.id ?? 0}${note}`];
        }
        case 'touch':
          return [`${head} call = SYS_TOUCH; buf = ${sys.vpage}; uw = ${sys.write ? 1 : 0}${note}`];
        case 'lock':
        case 'copy':
          return []; // refused before the model is written (unsupported)
      }
    }),
  );
}

/** init's assignments: the files, the page cache, the initial mappings and their faulted-in pages. */
function initRows(m: Model): string[] {
  const out: string[] = [];
  m.scenario.files.forEach((file, ino) => {
    out.push(`    /* ${file.name}: ${file.pages.length} page(s): ${file.pages.join(', ')} */`);
    out.push(`    i_size[${ino}] = ${file.pages.length};`);
    file.pages.forEach((state, index) => {
      if (state === 'disk' || state === 'cached') out.push(`    blk[${ino * m.extent + index}] = 1;`);
    });
  });
  m.initialPages.forEach((p, frame) => {
    out.push(`    pg_map[${frame}] = ${p.ino + 1}; pg_of[${frame}] = ${p.ino * m.extent + p.index + 1}; cache[${p.ino * m.extent + p.index}] = ${frame + 1};   /* ${m.scenario.files[p.ino]?.name ?? '?'}:${p.index} cached */`);
  });
  out.push(`    npages = ${m.initialPages.length};`);
  out.push(`    nfree = ${m.scenario.freeBlocks ?? 4};`);
  for (const v of m.vmas) if (v.initial) out.push(`    vma_on[${v.id}] = 1;   /* process ${v.process}: user pages ${v.start}–${v.start + v.pages - 1} → ${v.origin} */`);
  // A mapping's `faulted` pages start with a read-only PTE to the page-cache page, as scenarios/build.ts sets them up.
  for (const mapping of m.scenario.mappings) {
    const ino = m.scenario.files.findIndex((f) => f.name === mapping.file);
    for (const vpage of mapping.faulted ?? []) {
      const slot = m.slots.find((x) => x.process === mapping.process && x.vpage === vpage);
      const index = (mapping.pgoff ?? 0) + vpage - mapping.at;
      const frame = m.initialPages.findIndex((p) => p.ino === ino && p.index === index);
      if (slot === undefined || frame < 0) continue;
      out.push(`    pte[${slot.e}] = PTE_PAGE(${frame}, 0);   /* process ${mapping.process}, user page ${vpage}: faulted in read-only, ${mapping.file}:${index} */`);
    }
  }
  return out;
}

/** The callees the calls can reach under the variant, and whether ->page_mkwrite can run. */
function reachOf(m: Model, fix: Gfs2Fix): Reach {
  const io = m.tasks.flatMap((t) => t.program.flatMap((s) => (s.call === 'pread' || s.call === 'pwrite' ? [s] : [])));
  const kinds = new Set<CalleeKind>();
  if (io.some((s) => s.call === 'pread' && s.direct !== true)) kinds.add('read');
  if (io.some((s) => s.direct === true)) kinds.add('dio');
  // An O_DIRECT write that stops at a hole goes on as a buffered write.
  if (io.some((s) => s.call === 'pwrite')) kinds.add('buffered');
  if (io.length > 0 && fix !== 'none') kinds.add('faultin');
  if (m.tasks.some((t) => t.program.some((s) => s.call === 'touch'))) kinds.add('touch');
  return { kinds, shared: m.vmas.some((v) => v.shared) };
}

/** The header's lists: files, mappings and tasks, in the scenario's words. */
function headerLines(m: Model): { files: string[]; mappings: string[]; tasks: string[] } {
  const s = m.scenario;
  const mappings = s.mappings.map((mp) => ` *   process ${mp.process}: user pages ${mp.at}–${mp.at + mp.pages - 1} → ${mp.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} ${mp.file} from page ${mp.pgoff ?? 0}`);
  return {
    files: s.files.map((f) => ` *   ${f.name}: ${f.pages.join(', ')}`),
    mappings: mappings.length > 0 ? mappings : [' *   none'],
    tasks: m.tasks.flatMap((task) => [` *   pid ${task.pid} (process ${task.process}, node ${task.node}):`, ...task.program.map((sys) => ` *     ${describeCall(sys)}`)]),
  };
}

type Checked = { readonly ok: true; readonly v: Variant; readonly scenario: Scenario; readonly m: ReturnType<typeof modelOf> } | { readonly ok: false; readonly message: string };

/** Everything that decides whether a model can be written, before writing it. */
function checked(scenario: Scenario, variant: VariantId): Checked {
  const v = findVariant(variant);
  if (v === undefined) return { ok: false, message: `unknown kernel variant "${String(variant)}"` };
  if (scenario.fs === 'ext2-dax') {
    return {
      ok: false,
      message:
        'Promela export models gfs2 scenarios; ext2-dax scenarios are not modelled: their outcomes (SIGBUS from the i_size re-check, use-after-free of storage, -EIO from short extents) depend on block allocation and contents, and their locks (i_mutex, mmap_sem, i_mmap, invalidate_lock, page lock) in do_dax_fault are not translated yet. Use the explorer for them.',
    };
  }
  if (scenario.fs === 'ext4' || scenario.fs === 'xfs') {
    return {
      ok: false,
      message: `Promela export models gfs2 scenarios; ${v.flags.fs === 'gfs2' ? scenario.fs : v.flags.fs} scenarios are not modelled: their outcome (a page read from a block freed after the read-around looked it up) depends on block allocation and contents, and the read-around, the second truncate_pagecache_range and XFS's i_mmaplock are not translated yet. Use the explorer for them.`,
    };
  }
  if (v.flags.fs !== 'gfs2') return { ok: false, message: `${variant} is an ${v.flags.fs} variant, but the scenario "${scenario.id}" is gfs2: choose gfs2-5.15, gfs2-rfc-2021, gfs2-5.16, gfs2-5.18 or gfs2-6.4` };
  const valid = validateScenario(scenario);
  if (!valid.ok) {
    const first = valid.errors[0];
    return { ok: false, message: `the scenario is not valid: ${first === undefined ? 'unknown problem' : `${first.path === '' ? '' : `${first.path}: `}${first.message}`}` };
  }
  const refused = unsupported(valid.scenario);
  if (refused !== null) return { ok: false, message: refused };
  const m = modelOf(valid.scenario, variant);
  if (m.pageFrames > MAX_PAGE_FRAMES) {
    return { ok: false, message: `the scenario may create up to ${m.pageFrames} page-cache pages, more than the ${MAX_PAGE_FRAMES} the Promela model can number: use fewer tasks, truncates or pages` };
  }
  return { ok: true, v, scenario: valid.scenario, m };
}

/** Why the scenario under `variant` cannot be exported, or null when it can: the page disables the export and shows this. */
export function promelaRefusal(scenario: Scenario, variant: VariantId): string | null {
  const c = checked(scenario, variant);
  return c.ok ? null : c.message;
}

export interface PromelaOptions {
  /**
   * Declare the scratch globals `hidden` (the default): they are then not
   * part of Spin's state vector. Spin refuses hidden variables in its
   * multi-core verifier (pan.c: "#error cannot use hidden variables when
   * compiling multi-core", Spin 6.5.2), so a model for -DNCORE declares them
   * as plain globals: every inline sets them before it reads them, so they
   * add bytes to each state but tell no more states apart than their values
   * at the end of an atomic step do.
   */
  readonly hidden?: boolean;
  /**
   * The templates to write the model from: the generated ones
   * (promela-templates.ts), unless a test renders copies whose places are
   * left in as comments (promela-places.test.ts).
   */
  readonly templates?: TemplateSources;
}

/**
 * The scenario under `variant` as a Promela model, or why it cannot be
 * exported. Only gfs2 scenarios are modelled.
 */
export function promelaOf(scenario: Scenario, variant: VariantId, options: PromelaOptions = {}): PromelaResult {
  const c = checked(scenario, variant);
  if (!c.ok) return c;
  const { v, m } = c;
  const valid = { scenario: c.scenario };
  const calls = new Set(m.tasks.flatMap((t) => t.program.flatMap((s) => (s.call === 'lock' || s.call === 'copy' ? [] : [s.call]))));
  const fix = GFS2_FIX[variant as keyof typeof GFS2_FIX];
  const notes = [
    ...(valid.scenario.variants.includes(variant) ? [] : [`the scenario does not list ${variant} among its variants; exported anyway`]),
    ...ABSTRACTIONS,
  ];
  const lists = headerLines(m);
  // The template's placeholders, in model.pml's order.
  const placeholders = {
    ...fixFlags(fix),
    ...Object.fromEntries(CALLS.map((call) => [`call_${call}`, calls.has(call)])),
    scenario_id: m.scenario.id,
    scenario_title: m.scenario.title,
    variant: m.variant,
    variant_title: v.title,
    file_lines: lists.files,
    mapping_lines: lists.mappings,
    task_lines: lists.tasks,
    abstraction_lines: ABSTRACTIONS.map((a) => ` *   - ${a}`),
    nt: String(m.tasks.length),
    ni: String(m.scenario.files.length),
    inode_names: m.scenario.files.map((f, i) => `${i} = ${f.name}`).join(', '),
    nn: String(m.scenario.nodes ?? 1),
    nm: String(m.processes),
    nx: String(m.extent),
    np: String(m.pageFrames),
    nv: String(Math.max(1, m.vmas.length)),
    ne: String(Math.max(1, m.slots.length)),
    find_vma_rows: findVmaRows(m),
    slot_of_rows: slotOfRows(m),
    unmap_rows: unmapRows(m),
    load_syscall_rows: loadSyscallRows(m),
    kernel_paths: kernelPaths({ fix, calls, ...reachOf(m, fix) }, options.templates),
    init_rows: initRows(m),
    run_rows: m.tasks.map((task) => `    run task(${task.t}, ${task.process}, ${task.node});   /* pid ${task.pid}: process ${task.process}, node ${task.node} */`),
  };
  // The model ends with a newline.
  const model = `${render('model', placeholders, options.templates)}\n`;
  return { ok: true, model: options.hidden === false ? model.replace(/^hidden /gm, '') : model, notes };
}
