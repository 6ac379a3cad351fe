/**
 * The scenario editor's draft: what the form holds while the user types.
 *
 * Numbers are kept as the text of their inputs, so a half-typed "1a" is
 * still there to correct, and the validator (scenarios/validate.ts) names
 * the field it is wrong in. `scenarioJsonOf` turns a draft into the JSON of
 * the documented format; validating that JSON is the only check there is,
 * so the editor cannot accept what a file or a link would refuse.
 *
 * Pure: no React, no DOM. Every edit returns a new draft.
 */
import { VARIANTS, variantFitsFs, type Filesystem, type VariantId } from '../../kernel/variants.ts';
import type { FaultSpec, LockSpec, MappingSpec, NamedSchedule, PageState, Scenario, SyscallSpec, TaskSpec } from '../../scenarios/types.ts';
import { SCENARIO_FORMAT } from '../../scenarios/validate.ts';

export type CallKind = SyscallSpec['call'];

export interface DraftFile {
  readonly name: string;
  readonly pages: readonly PageState[];
  /** Page indexes with a corrupted short extent (ext2-dax only). */
  readonly shortExtents: readonly number[];
}

export interface DraftMapping {
  readonly process: string;
  readonly file: string;
  readonly at: string;
  readonly pages: string;
  readonly pgoff: string;
  readonly shared: boolean;
  /** User pages already in the page tables. */
  readonly faulted: readonly number[];
  /** A reported fault handler (a lockdep import): kept as it is, not edited here. */
  readonly fault?: FaultSpec;
}

/**
 * One program entry. It keeps the fields of every call, so switching a
 * pread to an mmap and back loses nothing; only the chosen call's fields
 * reach the scenario.
 */
export interface DraftCall {
  readonly call: CallKind;
  readonly file: string;
  readonly pos: string;
  readonly len: string;
  readonly buf: string;
  readonly direct: boolean;
  readonly size: string;
  readonly pgoff: string;
  readonly at: string;
  readonly shared: boolean;
  readonly vpage: string;
  readonly write: boolean;
  /** A `lock` or `copy` entry (a lockdep import): the editor keeps it as it is and does not edit it. */
  readonly kept?: Extract<SyscallSpec, { call: 'lock' | 'copy' }>;
}

export interface DraftTask {
  readonly pid: string;
  readonly process: string;
  readonly node: string;
  readonly program: readonly DraftCall[];
}

export interface Draft {
  readonly id: string;
  readonly title: string;
  readonly story: string;
  readonly fs: Filesystem;
  readonly variants: readonly VariantId[];
  readonly nodes: string;
  readonly freeBlocks: string;
  readonly files: readonly DraftFile[];
  /** Named locks (a lockdep import): kept as they are. */
  readonly locks: readonly LockSpec[];
  readonly mappings: readonly DraftMapping[];
  readonly tasks: readonly DraftTask[];
  /** Kept as they are: the editor lists them and can drop them, not edit them. */
  readonly schedules: readonly NamedSchedule[];
  /** One source per line. */
  readonly sources: string;
}

export const CALLS: readonly { readonly call: CallKind; readonly title: string }[] = [
  { call: 'pread', title: 'pread (read the file into a user buffer)' },
  { call: 'pwrite', title: 'pwrite (write the file from a user buffer)' },
  { call: 'truncate', title: 'truncate' },
  { call: 'punch', title: 'punch hole (fallocate FALLOC_FL_PUNCH_HOLE)' },
  { call: 'mmap', title: 'mmap' },
  { call: 'touch', title: 'touch a mapped page (user load or store)' },
];

export const PAGE_STATES: readonly { readonly state: PageState; readonly title: string }[] = [
  { state: 'hole', title: 'hole' },
  { state: 'disk', title: 'on disk' },
  { state: 'cached', title: 'cached' },
  { state: 'hole-cached', title: 'hole, zeroed page cached' },
];

export function variantsOf(fs: Filesystem): readonly VariantId[] {
  return VARIANTS.filter((v) => variantFitsFs(v.flags.fs, fs)).map((v) => v.id);
}

const text = (n: number | undefined, fallback = ''): string => (n === undefined ? fallback : String(n));

function draftCall(spec: SyscallSpec, defaultFile: string): DraftCall {
  const blank = newCall(spec.call, defaultFile);
  switch (spec.call) {
    case 'pread':
    case 'pwrite':
      return { ...blank, file: spec.file, pos: text(spec.pos), len: text(spec.len), buf: text(spec.buf), direct: spec.direct === true };
    case 'truncate':
      return { ...blank, file: spec.file, size: text(spec.size) };
    case 'punch':
      return { ...blank, file: spec.file, pos: text(spec.pos), len: text(spec.len) };
    case 'mmap':
      return { ...blank, file: spec.file, pgoff: text(spec.pgoff), len: text(spec.len), at: text(spec.at), shared: spec.shared };
    case 'touch':
      return { ...blank, vpage: text(spec.vpage), write: spec.write };
    case 'lock':
    case 'copy':
      return { ...blank, kept: spec };
  }
}

export function newCall(call: CallKind, file: string): DraftCall {
  return { call, file, pos: '0', len: '1', buf: '0', direct: false, size: '0', pgoff: '0', at: '0', shared: false, vpage: '0', write: false };
}

function draftMapping(m: MappingSpec): DraftMapping {
  return { process: text(m.process), file: m.file, at: text(m.at), pages: text(m.pages), pgoff: text(m.pgoff, '0'), shared: m.shared, faulted: m.faulted ?? [], ...(m.fault !== undefined ? { fault: m.fault } : {}) };
}

function draftTask(t: TaskSpec, defaultFile: string): DraftTask {
  return { pid: text(t.pid), process: text(t.process), node: text(t.node, '0'), program: t.program.map((s) => draftCall(s, defaultFile)) };
}

export function draftOf(scenario: Scenario): Draft {
  const first = scenario.files[0]?.name ?? 'F';
  return {
    id: scenario.id,
    title: scenario.title,
    story: scenario.story,
    fs: scenario.fs,
    variants: scenario.variants,
    nodes: text(scenario.nodes, '1'),
    freeBlocks: text(scenario.freeBlocks, '4'),
    files: scenario.files.map((f) => ({ name: f.name, pages: f.pages, shortExtents: f.shortExtents ?? [] })),
    locks: scenario.locks ?? [],
    mappings: scenario.mappings.map(draftMapping),
    tasks: scenario.tasks.map((t) => draftTask(t, first)),
    schedules: scenario.schedules,
    sources: scenario.sources.join('\n'),
  };
}

/** A small scenario to start from: one gfs2 file, mapped privately, read into its own mapping. */
export function blankDraft(fs: Filesystem = 'gfs2'): Draft {
  return {
    id: 'my-scenario',
    title: 'My scenario',
    story: '',
    fs,
    variants: variantsOf(fs),
    nodes: '1',
    freeBlocks: '4',
    files: [{ name: 'F', pages: ['disk', 'disk'], shortExtents: [] }],
    locks: [],
    mappings: [{ process: '0', file: 'F', at: '0', pages: '2', pgoff: '0', shared: false, faulted: [] }],
    tasks: [{ pid: '101', process: '0', node: '0', program: [{ ...newCall('pread', 'F'), pos: '1', buf: '0' }] }],
    schedules: [],
    sources: '',
  };
}

/**
 * An integer field: the number when the text is one, nothing when it is
 * empty (the validator says "required"), else the text itself (the
 * validator says "must be an integer, not …", naming the field).
 */
function integer(value: string): number | string | undefined {
  const t = value.trim();
  if (t === '') return undefined;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

type JsonValue =
  | number
  | string
  | boolean
  | undefined
  | readonly number[]
  | JsonObject
  | readonly JsonObject[]
  | readonly string[]
  | readonly NamedSchedule[]
  | readonly PageState[]
  | SyscallSpec
  | FaultSpec
  | readonly LockSpec[];
interface JsonObject {
  readonly [key: string]: JsonValue;
}

function callJson(c: DraftCall): JsonObject | SyscallSpec {
  switch (c.call) {
    case 'pread':
    case 'pwrite':
      return { call: c.call, file: c.file, pos: integer(c.pos), len: integer(c.len), buf: integer(c.buf), ...(c.direct ? { direct: true } : {}) };
    case 'truncate':
      return { call: c.call, file: c.file, size: integer(c.size) };
    case 'punch':
      return { call: c.call, file: c.file, pos: integer(c.pos), len: integer(c.len) };
    case 'mmap':
      return { call: c.call, file: c.file, pgoff: integer(c.pgoff), len: integer(c.len), at: integer(c.at), shared: c.shared };
    case 'touch':
      return { call: c.call, vpage: integer(c.vpage), write: c.write };
    case 'lock':
    case 'copy':
      // Kept from the scenario as it was; a kind changed back to it has nothing else to offer.
      return c.kept ?? { call: c.call };
  }
}

/** The draft in the documented format (docs/scenario-format.md), for the validator. Optional fields left at their defaults are left out. */
export function scenarioJsonOf(draft: Draft): JsonObject {
  const nodes = integer(draft.nodes);
  const freeBlocks = integer(draft.freeBlocks);
  return {
    format: SCENARIO_FORMAT,
    id: draft.id,
    title: draft.title,
    story: draft.story,
    fs: draft.fs,
    variants: draft.variants,
    ...(nodes === 1 ? {} : { nodes }),
    ...(freeBlocks === 4 ? {} : { freeBlocks }),
    files: draft.files.map((f) => ({ name: f.name, pages: f.pages, ...(f.shortExtents.length > 0 ? { shortExtents: f.shortExtents } : {}) })),
    ...(draft.locks.length > 0 ? { locks: draft.locks } : {}),
    mappings: draft.mappings.map((m) => {
      const pgoff = integer(m.pgoff);
      return {
        process: integer(m.process),
        file: m.file,
        at: integer(m.at),
        pages: integer(m.pages),
        ...(pgoff === 0 ? {} : { pgoff }),
        shared: m.shared,
        ...(m.faulted.length > 0 ? { faulted: m.faulted } : {}),
        ...(m.fault !== undefined ? { fault: m.fault } : {}),
      };
    }),
    tasks: draft.tasks.map((t) => {
      const node = integer(t.node);
      // On a cluster every task says its node, even node 0; on one node, none does.
      return { pid: integer(t.pid), process: integer(t.process), ...(node === 0 && nodes === 1 ? {} : { node }), program: t.program.map(callJson) };
    }),
    schedules: draft.schedules,
    sources: draft.sources
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

/* ------------------------------------------------------------------ */
/* Edits.                                                              */
/* ------------------------------------------------------------------ */

function replaceAt<T>(list: readonly T[], i: number, f: (item: T) => T): readonly T[] {
  return list.map((item, j) => (j === i ? f(item) : item));
}

function removeAt<T>(list: readonly T[], i: number): readonly T[] {
  return list.filter((_, j) => j !== i);
}

/** Changing the filesystem keeps what carries over and drops what cannot: variants of the other fs, short extents on gfs2, extra nodes on DAX. */
export function setFilesystem(draft: Draft, fs: Filesystem): Draft {
  if (fs === draft.fs) return draft;
  return {
    ...draft,
    fs,
    variants: variantsOf(fs),
    nodes: fs === 'gfs2' ? draft.nodes : '1',
    files: draft.files.map((f) => ({ ...f, shortExtents: fs === 'ext2-dax' ? f.shortExtents : [] })),
    tasks: fs === 'gfs2' ? draft.tasks : draft.tasks.map((t) => ({ ...t, node: '0' })),
  };
}

export function toggleVariant(draft: Draft, variant: VariantId, on: boolean): Draft {
  const chosen = new Set(draft.variants);
  if (on) chosen.add(variant);
  else chosen.delete(variant);
  // Kept in the catalog's order, so the picker and links list them the same way.
  return { ...draft, variants: VARIANTS.map((v) => v.id).filter((id) => chosen.has(id)) };
}

/** The first file name F1, F2, … not yet taken. */
function freeFileName(draft: Draft): string {
  const taken = new Set(draft.files.map((f) => f.name));
  for (let i = 1; ; i++) if (!taken.has(`F${i}`)) return `F${i}`;
}

export function addFile(draft: Draft): Draft {
  return { ...draft, files: [...draft.files, { name: freeFileName(draft), pages: ['disk'], shortExtents: [] }] };
}

export function updateFile(draft: Draft, i: number, f: (file: DraftFile) => DraftFile): Draft {
  return { ...draft, files: replaceAt(draft.files, i, f) };
}

export function removeFile(draft: Draft, i: number): Draft {
  return { ...draft, files: removeAt(draft.files, i) };
}

export function addMapping(draft: Draft): Draft {
  const file = draft.files[0]?.name ?? '';
  // Above every mapping the scenario has, so the new one does not overlap them.
  const at = Math.max(0, ...draft.mappings.map((m) => (Number(m.at) || 0) + (Number(m.pages) || 0)));
  return { ...draft, mappings: [...draft.mappings, { process: '0', file, at: String(at), pages: '1', pgoff: '0', shared: false, faulted: [] }] };
}

export function updateMapping(draft: Draft, i: number, f: (m: DraftMapping) => DraftMapping): Draft {
  return { ...draft, mappings: replaceAt(draft.mappings, i, f) };
}

export function removeMapping(draft: Draft, i: number): Draft {
  return { ...draft, mappings: removeAt(draft.mappings, i) };
}

export function addTask(draft: Draft): Draft {
  const pid = Math.max(100, ...draft.tasks.map((t) => Number(t.pid) || 0)) + 1;
  const process = Math.max(-1, ...draft.tasks.map((t) => Number(t.process) || 0)) + 1;
  const call = newCall('touch', draft.files[0]?.name ?? '');
  return { ...draft, tasks: [...draft.tasks, { pid: String(pid), process: String(process), node: '0', program: [call] }] };
}

export function updateTask(draft: Draft, i: number, f: (t: DraftTask) => DraftTask): Draft {
  return { ...draft, tasks: replaceAt(draft.tasks, i, f) };
}

export function removeTask(draft: Draft, i: number): Draft {
  return { ...draft, tasks: removeAt(draft.tasks, i) };
}

export function addCall(draft: Draft, task: number): Draft {
  return updateTask(draft, task, (t) => ({ ...t, program: [...t.program, newCall('pread', draft.files[0]?.name ?? '')] }));
}

export function updateCall(draft: Draft, task: number, i: number, f: (c: DraftCall) => DraftCall): Draft {
  return updateTask(draft, task, (t) => ({ ...t, program: replaceAt(t.program, i, f) }));
}

export function removeCall(draft: Draft, task: number, i: number): Draft {
  return updateTask(draft, task, (t) => ({ ...t, program: removeAt(t.program, i) }));
}

export function removeSchedule(draft: Draft, i: number): Draft {
  return { ...draft, schedules: removeAt(draft.schedules, i) };
}

/* ------------------------------------------------------------------ */
/* What a buffer can point at.                                         */
/* ------------------------------------------------------------------ */

export interface UserPageChoice {
  readonly vpage: number;
  /** "user page 2: mmap of F2 page 0, private, faulted in" */
  readonly title: string;
}

/**
 * The user pages a task of `process` can name as a buffer or a touch: those
 * its process has mapped, by a mapping or by an mmap in any of its tasks'
 * programs, each described by what it maps. Unparsable entries are skipped;
 * the validator reports them where they are.
 */
export function userPagesOf(draft: Draft, process: string): readonly UserPageChoice[] {
  const out: UserPageChoice[] = [];
  const add = (at: number, pages: number, pgoff: number, file: string, shared: boolean, faulted: readonly number[], how: string) => {
    for (let i = 0; i < pages && i < 16; i++) {
      const vpage = at + i;
      const state = faulted.includes(vpage) ? ', faulted in' : '';
      out.push({ vpage, title: `user page ${vpage}: ${how} of ${file} page ${pgoff + i}, ${shared ? 'shared' : 'private'}${state}` });
    }
  };
  for (const m of draft.mappings) {
    if (m.process.trim() !== process.trim()) continue;
    const at = integer(m.at);
    const pages = integer(m.pages);
    const pgoff = integer(m.pgoff) ?? 0;
    if (typeof at === 'number' && typeof pages === 'number' && typeof pgoff === 'number') add(at, pages, pgoff, m.file, m.shared, m.faulted, 'mapping');
  }
  for (const t of draft.tasks) {
    if (t.process.trim() !== process.trim()) continue;
    for (const c of t.program) {
      if (c.call !== 'mmap') continue;
      const at = integer(c.at);
      const len = integer(c.len);
      const pgoff = integer(c.pgoff);
      if (typeof at === 'number' && typeof len === 'number' && typeof pgoff === 'number') add(at, len, pgoff, c.file, c.shared, [], `mmap by pid ${t.pid}`);
    }
  }
  return out.sort((a, b) => a.vpage - b.vpage).filter((c, i, all) => all[i - 1]?.vpage !== c.vpage);
}

/** The user pages a mapping covers, when its fields parse. */
export function mappingPages(m: DraftMapping): readonly number[] {
  const at = integer(m.at);
  const pages = integer(m.pages);
  if (typeof at !== 'number' || typeof pages !== 'number' || pages < 1) return [];
  return Array.from({ length: Math.min(pages, 16) }, (_, i) => at + i);
}

/** Errors grouped by field path, for the inputs to show next to themselves. */
export function errorsByPath(errors: readonly { readonly path: string; readonly message: string }[]): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, string[]>();
  for (const e of errors) {
    const list = map.get(e.path) ?? [];
    list.push(e.message);
    map.set(e.path, list);
  }
  return map;
}
