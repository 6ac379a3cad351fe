/**
 * The shape of a scenario as a valibot schema: every field's type, range,
 * enumeration, whether it is required, and that an object has no other
 * fields. Valibot (small, tree-shaken, and it reports every issue of a value
 * at once, each with its path) does the checking; this file only says what
 * to check and in which words. What a schema cannot say (a mapping's file
 * exists, a buffer is mapped, a pid is a task's) is scenario.ts's job.
 *
 * Every builder takes `what`, the field in words ("the pid"), and writes
 * the messages the format has always given: "the pid must be from 1 to
 * 99999, not 0", "required: the pid, an integer from 1 to 99999", "unknown
 * field "titel": a scenario has only format, id, ...".
 */
import * as v from 'valibot';
import { VARIANTS, type Filesystem } from '../../kernel/variants.ts';
import { OUTCOME_KINDS } from '../../sim/outcome.ts';
import type { Expectation, FaultLockSpec, FaultSpec, FileSpec, LockSpec, LockTargetSpec, MappingSpec, NamedSchedule, PageState, Scenario, SyscallSpec, TaskSpec } from '../types.ts';
import { clip, describe, index, member, plural, quote, type ValidationError } from './fields.ts';

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
  tasks: 8,
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

// --- builders: one valibot schema per kind of field, with the format's words ---

/** The message for a required field that is missing, per schema; objects look their fields' up here. */
const REQUIRED = new WeakMap<object, string>();

function required<T extends object>(schema: T, message: string): T {
  REQUIRED.set(schema, message);
  return schema;
}

/** A type error's message; a field present but undefined (a JavaScript caller's, never JSON's) is as good as missing. */
function notA(requiredMessage: string, message: (issue: v.BaseIssue<unknown>) => string) {
  return (issue: v.BaseIssue<unknown>) => (issue.input === undefined ? requiredMessage : message(issue));
}

function int(min: number, max: number, what: string) {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  const missing = `required: ${what}, an integer ${range}`;
  const notInt = notA(missing, (issue) => `${what} must be an integer ${range}, not ${describe(issue.input)}`);
  const outside = (issue: v.BaseIssue<unknown>) => `${what} must be ${range}, not ${clip(String(issue.input))}`;
  return required(v.pipe(v.number(notInt), v.integer(notInt), v.minValue(min, outside), v.maxValue(max, outside)), missing);
}

function str(min: number, max: number, what: string) {
  const length = (issue: v.BaseIssue<unknown>) => {
    const n = typeof issue.input === 'string' ? issue.input.length : 0;
    return n < min ? `${what} must not be empty` : `${what} is ${n} characters long; at most ${max} are allowed`;
  };
  const missing = `required: ${what}, a string`;
  return required(v.pipe(v.string(notA(missing, (issue) => `${what} must be a string, not ${describe(issue.input)}`)), v.minLength(min, length), v.maxLength(max, length)), missing);
}

/** A string of bounded length that must also match a pattern, which `why` explains. */
function name(max: number, what: string, pattern: RegExp, why: (value: string) => string) {
  return required(v.pipe(str(1, max, what), v.regex(pattern, (issue) => why(String(issue.input)))), `required: ${what}, a string`);
}

function bool(what: string) {
  const missing = `required: ${what}, true or false`;
  return required(v.boolean(notA(missing, (issue) => `${what} must be true or false, not ${describe(issue.input)}`)), missing);
}

function oneOf<const K extends string>(keys: readonly K[], what: string) {
  const allowed = keys.map((k) => `'${k}'`).join(', ');
  const missing = `required: ${what}, one of ${allowed}`;
  return required(v.picklist(keys, notA(missing, (issue) => `${what} must be one of ${allowed}, not ${describe(issue.input)}`)), missing);
}

/** A list of `min` to `max` entries; the entries are checked only when the length is right. */
function list<TItem extends v.GenericSchema>(item: TItem, min: number, max: number, what: string) {
  const missing = `required: a list of ${what}`;
  return required(
    v.pipe(
      v.array(v.unknown(), notA(missing, (issue) => `must be a list of ${what}, not ${describe(issue.input)}`)),
      v.check((value) => value.length >= min && value.length <= max, (issue) => `has ${plural(Array.isArray(issue.input) ? issue.input.length : 0, 'entry', 'entries')}; ${min === 0 ? `at most ${max}` : `${min} to ${max}`} ${what} are allowed`),
      v.array(item),
    ),
    missing,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields an object may have, keyed by the type's own keys so that a field added to types.ts fails to compile until it is checked here. */
type Entries<T> = { readonly [K in keyof Required<T>]: v.GenericSchema<unknown, unknown> };

/**
 * The fields of an object: exactly these. Each field not among them is an
 * issue of its own (the `never` rest), so a scenario with two typos hears of
 * both. Valibot leaves `__proto__`, `constructor` and `prototype` out of the
 * rest on purpose; reservedKeys() in scenario.ts names those.
 */
function fields<const E extends v.ObjectEntries>(what: string, entries: E) {
  return v.objectWithRest(entries, v.never(`${what} has only ${Object.keys(entries).join(', ')}`), (issue) => {
    const key = issue.path?.at(-1)?.key;
    const field = typeof key === 'string' && Object.hasOwn(entries, key) ? entries[key] : undefined;
    return (field !== undefined ? REQUIRED.get(field) : undefined) ?? `required: ${String(key)}`;
  });
}

/** An object (not an array, not null) of exactly these fields. */
function obj<const E extends v.ObjectEntries>(what: string, entries: E): v.GenericSchema<unknown, v.InferOutput<v.ObjectSchema<E, undefined>>> {
  const missing = `required: ${what}`;
  const schema = v.pipe(v.custom<Record<string, unknown>>(isObject, notA(missing, (issue) => `${what} must be an object, not ${describe(issue.input)}`)), fields(what, entries));
  // The rest schema is `never`: on success the output has the entries and nothing else.
  return required(schema as unknown as v.GenericSchema<unknown, v.InferOutput<v.ObjectSchema<E, undefined>>>, missing);
}

/** A record of values keyed by text the scenario's rules read (pids, pages, variants). */
function rec<TValue extends v.GenericSchema>(value: TValue, what: string) {
  const missing = `required: ${what}, an object`;
  return required(v.pipe(v.custom<Record<string, unknown>>(isObject, notA(missing, (issue) => `${what} must be an object, not ${describe(issue.input)}`)), v.record(v.string(), value)), missing);
}
/** The fields whose values are records: their keys are written `["key"]` in a path, as data, not as field names. */
const RECORD_FIELDS: ReadonlySet<string> = new Set(['expect', 'returns', 'userPages', 'filePages']);

/** A tagged union: an object, its tag (with its own message), then the fields of that kind. */
function tagged<const K extends string, const O extends v.VariantOptions<K>>(what: string, tag: K, tagWhat: string, tags: readonly string[], options: O) {
  const allowed = tags.map((k) => `'${k}'`).join(', ');
  return v.pipe(
    // Typed as the variant's input, which it is once it is an object: the variant checks the rest.
    v.custom<v.InferInput<v.VariantSchema<K, O, undefined>>>(isObject, notA(`required: ${what}`, (issue) => `${what} must be an object, not ${describe(issue.input)}`)),
    v.variant(tag, options, (issue) => (issue.input === undefined ? `required: ${tagWhat}, one of ${allowed}` : `${tagWhat} must be one of ${allowed}, not ${describe(issue.input)}`)),
  );
}

// --- the format ---

/**
 * Every member of a union, from a record keyed by it: the compiler insists
 * the list follows types.ts when it grows a page state, a filesystem or a call.
 */
function every<T extends string>(table: Readonly<Record<T, true>>): T[] {
  return Object.keys(table) as T[];
}

const PAGE_STATES = every<PageState>({ hole: true, disk: true, cached: true, 'hole-cached': true });
const FILESYSTEMS = every<Filesystem>({ gfs2: true, 'ext2-dax': true, ext4: true, xfs: true });
const VARIANT_IDS = VARIANTS.map((variant) => variant.id);

export const variantId = required(
  v.picklist(
    VARIANT_IDS,
    notA('required: a variant id, a string', (issue) =>
      typeof issue.input === 'string' ? `unknown variant ${quote(issue.input)} (variants: ${VARIANT_IDS.join(', ')})` : `a variant id must be a string, not ${describe(issue.input)}`,
    ),
  ),
  'required: a variant id, a string',
);

/** An optional kernel function name (`at`, where a lock is taken or a copy made). */
const symbol = (what: string) => v.optional(str(1, LIMITS.symbol, what));

export const shortExtent = int(0, LIMITS.filePages - 1, 'a page index of this file');
export const FILE_ENTRIES = {
  name: name(64, 'the file name', FILE_NAME_PATTERN, (n) => `${quote(n)} is not a valid file name: use a letter, then up to 15 letters, digits or underscores`),
  pages: list(oneOf(PAGE_STATES, 'a page state'), 1, LIMITS.filePages, 'page states'),
  shortExtents: v.optional(list(shortExtent, 0, LIMITS.filePages, 'page indexes')),
} as const satisfies Entries<FileSpec>;

export const LOCK_ENTRIES = {
  name: name(32, 'the lock name', LOCK_NAME_PATTERN, (n) => `${quote(n)} is not a valid lock name: use letters, digits and underscores, starting with a letter or underscore (ip_alloc_sem)`),
  kind: oneOf(every<LockSpec['kind']>({ mutex: true, rwsem: true }), 'the lock kind'),
  class: v.optional(str(1, LIMITS.lockClass, 'the lockdep class')),
} as const satisfies Entries<LockSpec>;

export const fileRef = str(1, 64, 'the file');

/** Each kind of lock target and its fields. */
const lockTargetOptions = [
  fields('a named lock', { kind: v.literal('named'), name: str(1, 32, 'the name of a lock in locks') }),
  fields('an i_rwsem lock', { kind: v.literal('i_rwsem'), file: fileRef }),
  fields('an i_mmap lock', { kind: v.literal('i_mmap'), file: fileRef }),
  fields('an invalidate_lock lock', { kind: v.literal('invalidate_lock'), file: fileRef }),
  fields('an mmap_lock lock', { kind: v.literal('mmap_lock') }),
] as const;
const LOCK_TARGET_KINDS = every<LockTargetSpec['kind']>({ named: true, i_rwsem: true, i_mmap: true, invalidate_lock: true, mmap_lock: true });

export const lockTarget = required(tagged('a lock', 'kind', 'the lock', LOCK_TARGET_KINDS, lockTargetOptions) as v.GenericSchema<unknown, LockTargetSpec>, 'required: a lock');

export const FAULT_LOCK_ENTRIES = {
  lock: lockTarget,
  write: bool('write (for write, or false for read)'),
  at: symbol('the kernel function that takes it'),
} as const satisfies Entries<FaultLockSpec>;

export const FAULT_ENTRIES = {
  handler: str(1, LIMITS.symbol, 'the handler’s kernel name'),
  locks: list(obj('a lock the handler takes', FAULT_LOCK_ENTRIES), 0, LIMITS.faultLocks, 'locks'),
} as const satisfies Entries<FaultSpec>;

export const faultedPage = int(0, LIMITS.userPages - 1, 'a user page of the mapping');
export const MAPPING_ENTRIES = {
  process: int(0, LIMITS.processes - 1, 'the process'),
  file: fileRef,
  at: int(0, LIMITS.userPages - 1, 'the first user page'),
  pages: int(1, LIMITS.filePages, 'the number of pages'),
  pgoff: v.optional(int(0, LIMITS.filePages - 1, 'the file page offset')),
  shared: bool('shared (MAP_SHARED)'),
  faulted: v.optional(list(faultedPage, 0, LIMITS.filePages, 'user pages')),
  fault: v.optional(obj('a fault handler', FAULT_ENTRIES)),
} as const satisfies Entries<MappingSpec>;

/** The fields of each call but `lock`, which is built per depth since its body holds syscalls. */
const SYSCALL_CALLS = every<SyscallSpec['call']>({ pread: true, pwrite: true, truncate: true, punch: true, mmap: true, touch: true, lock: true, copy: true });
const ioEntries = <const C extends 'pread' | 'pwrite'>(call: C) => ({
  call: v.literal(call),
  file: fileRef,
  pos: int(0, LIMITS.filePages - 1, 'the file position in pages'),
  len: int(1, LIMITS.ioPages, 'the length in pages'),
  buf: int(0, LIMITS.userPages - 1, 'the buffer’s first user page'),
  direct: v.optional(bool('direct (O_DIRECT)')),
});
export const SYSCALL_ENTRIES = {
  pread: ioEntries('pread'),
  pwrite: ioEntries('pwrite'),
  truncate: { call: v.literal('truncate'), file: fileRef, size: int(0, LIMITS.filePages, 'the new size in pages') },
  punch: { call: v.literal('punch'), file: fileRef, pos: int(0, LIMITS.filePages - 1, 'the first page to punch'), len: int(1, LIMITS.filePages, 'the number of pages to punch') },
  mmap: {
    call: v.literal('mmap'),
    file: fileRef,
    pgoff: int(0, LIMITS.filePages - 1, 'the file page offset'),
    len: int(1, LIMITS.filePages, 'the length in pages'),
    at: int(0, LIMITS.userPages - 1, 'the first user page'),
    shared: bool('shared (MAP_SHARED)'),
  },
  touch: { call: v.literal('touch'), vpage: int(0, LIMITS.userPages - 1, 'the user page'), write: bool('write (a store, not a load)') },
  copy: { call: v.literal('copy'), buf: int(0, LIMITS.userPages - 1, 'the user page copied'), write: bool('write (copy_to_user, not copy_from_user)'), at: symbol('the kernel function that copies') },
} as const;
const leafCalls = [
  fields('a pread call', SYSCALL_ENTRIES.pread),
  fields('a pwrite call', SYSCALL_ENTRIES.pwrite),
  fields('a truncate call', SYSCALL_ENTRIES.truncate),
  fields('a punch call', SYSCALL_ENTRIES.punch),
  fields('a mmap call', SYSCALL_ENTRIES.mmap),
  fields('a touch call', SYSCALL_ENTRIES.touch),
  fields('a copy call', SYSCALL_ENTRIES.copy),
] as const;

const lockEntries = (body: v.GenericSchema<unknown, SyscallSpec>) => ({
  call: v.literal('lock'),
  lock: lockTarget,
  write: bool('write (for write, or false for read)'),
  at: symbol('the kernel function that takes the lock'),
  body: list(body, 0, LIMITS.body, 'body entries'),
});

/** A lock entry nested deeper than the format allows: refused whole, where it is. */
const tooDeep = v.pipe(
  v.looseObject({ call: v.literal('lock') }),
  v.check(() => false, `lock entries nest at most ${LIMITS.nesting} deep`),
);

/** A program entry inside `depth` lock entries. */
function syscallAt(depth: number): v.GenericSchema<unknown, SyscallSpec> {
  const lock = depth + 1 > LIMITS.nesting ? tooDeep : fields('a lock call', lockEntries(v.lazy(() => syscallAt(depth + 1))));
  return tagged('a program entry', 'call', 'the call', SYSCALL_CALLS, [...leafCalls, lock]) as v.GenericSchema<unknown, SyscallSpec>;
}
export const syscall = syscallAt(0);

export const TASK_ENTRIES = {
  pid: int(1, LIMITS.maxPid, 'the pid'),
  process: int(0, LIMITS.processes - 1, 'the process'),
  node: v.optional(int(0, LIMITS.nodes - 1, 'the node')),
  program: list(syscall, 1, LIMITS.program, 'syscalls'),
} as const satisfies Entries<TaskSpec>;

const contentTag = str(1, LIMITS.contentTag, 'the content tag');

export const returnList = list(int(-4096, Number.MAX_SAFE_INTEGER, 'a return value (bytes, 0, or -errno)'), 0, LIMITS.program, 'syscall returns');
export const EXPECTATION_ENTRIES = {
  kind: oneOf(OUTCOME_KINDS, 'the outcome kind'),
  summary: str(0, LIMITS.summary, 'the summary'),
  returns: v.optional(rec(returnList, 'returns')),
  userPages: v.optional(rec(contentTag, 'userPages')),
  filePages: v.optional(rec(contentTag, 'filePages')),
  basis: oneOf(every<Expectation['basis']>({ verified: true, inferred: true }), 'the basis'),
} as const satisfies Entries<Expectation>;

export const stepPid = int(1, LIMITS.maxPid, 'a pid');
export const SCHEDULE_ENTRIES = {
  name: str(1, LIMITS.scheduleName, 'the schedule name'),
  description: str(0, LIMITS.description, 'the description'),
  steps: list(stepPid, 0, LIMITS.steps, 'pids'),
  // Keyed by variant id; which ids may appear is the scenario's rule.
  expect: rec(obj('an expectation', EXPECTATION_ENTRIES), 'expect (variant → expected outcome)'),
} as const satisfies Entries<NamedSchedule>;

export const SCENARIO_ENTRIES = {
  format: v.optional(v.literal(SCENARIO_FORMAT, (issue) => `unsupported format ${describe(issue.input)}: this version of Faultline reads format ${SCENARIO_FORMAT}`)),
  id: name(LIMITS.idLength, 'the id', ID_PATTERN, (id) => `${quote(id)} is not a valid id: use up to 64 lowercase letters, digits and hyphens, starting with a letter or digit`),
  title: str(1, LIMITS.title, 'the title'),
  story: str(0, LIMITS.story, 'the story'),
  fs: oneOf(FILESYSTEMS, 'the filesystem'),
  variants: list(variantId, 1, VARIANTS.length, 'variants'),
  nodes: v.optional(int(1, LIMITS.nodes, 'the number of cluster nodes')),
  blockSize: v.optional(int(1, Number.MAX_SAFE_INTEGER, 'the block size in bytes')),
  freeBlocks: v.optional(int(0, LIMITS.freeBlocks, 'the number of free blocks')),
  files: list(obj('a file', FILE_ENTRIES), 1, LIMITS.files, 'files'),
  locks: v.optional(list(obj('a named lock', LOCK_ENTRIES), 0, LIMITS.locks, 'named locks')),
  mappings: list(obj('a mapping', MAPPING_ENTRIES), 0, LIMITS.mappings, 'mappings'),
  tasks: list(obj('a task', TASK_ENTRIES), 1, LIMITS.tasks, 'tasks'),
  schedules: list(obj('a schedule', SCHEDULE_ENTRIES), 0, LIMITS.schedules, 'schedules'),
  sources: list(str(1, LIMITS.source, 'a source'), 0, LIMITS.sources, 'sources'),
} as const satisfies Entries<Scenario & { format: number }>;

const scenarioSchema = obj('a scenario', SCENARIO_ENTRIES);

/** Every field of the format, per type: what docs/scenario-format.md must name (format.test.ts checks it). */
export const FORMAT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Scenario: Object.keys(SCENARIO_ENTRIES),
  FileSpec: Object.keys(FILE_ENTRIES),
  MappingSpec: Object.keys(MAPPING_ENTRIES),
  TaskSpec: Object.keys(TASK_ENTRIES),
  NamedSchedule: Object.keys(SCHEDULE_ENTRIES),
  Expectation: Object.keys(EXPECTATION_ENTRIES),
  SyscallSpec: [...new Set([...leafCalls.flatMap((call) => Object.keys(call.entries)), ...Object.keys(lockEntries(syscall))])],
  LockSpec: Object.keys(LOCK_ENTRIES),
  FaultSpec: Object.keys(FAULT_ENTRIES),
  FaultLockSpec: Object.keys(FAULT_LOCK_ENTRIES),
  LockTargetSpec: [...new Set(lockTargetOptions.flatMap((option) => Object.keys(option.entries)))],
};

/** The path of a value's child: a field is named (`.file`), an index or a record's key bracketed (`[0]`, `["101"]`). */
export function childPath(path: string, key: string | number, inRecord: boolean): string {
  if (typeof key === 'number') return index(path, key);
  return inRecord ? `${path}[${quote(key)}]` : member(path, key);
}

/** Whether the children of the value at `key` are a record's entries. */
export function holdsRecord(key: string | number, inRecord: boolean): boolean {
  return !inRecord && typeof key === 'string' && RECORD_FIELDS.has(key);
}

/**
 * Visit every value of an input in document order, with its path; `enter`
 * says whether to go into the value's children, `leave` runs after them.
 * With a stack of its own rather than recursion, since JSON.parse reads
 * arrays nested far deeper than the call stack would go.
 */
export function walkInput(input: unknown, enter: (path: string, key: string | number | undefined, value: unknown) => boolean, leave: (path: string) => void = () => undefined): void {
  type Frame = { readonly value: unknown; readonly path: string; readonly key: string | number | undefined; readonly inRecord: boolean } | { readonly leaving: string };
  const stack: Frame[] = [{ value: input, path: '', key: undefined, inRecord: false }];
  const seen = new Set<object>();
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if ('leaving' in frame) {
      leave(frame.leaving);
      continue;
    }
    const { value, path, inRecord } = frame;
    const descend = enter(path, frame.key, value);
    stack.push({ leaving: path });
    if (!descend || typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const children: [string | number, unknown][] = Array.isArray(value) ? value.map((item: unknown, i) => [i, item]) : Object.entries(value);
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i] ?? [0, undefined];
      stack.push({ value: child, path: childPath(path, key, inRecord), key, inRecord: holdsRecord(key, inRecord) });
    }
  }
}

/** A valibot issue's path in the format's words: `tasks[1].program[0].file`, `expect["gfs2-5.18"].returns["101"]`. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = '';
  let inRecord = false;
  for (const item of issue.path ?? []) {
    const key: unknown = item.key;
    const k = typeof key === 'number' ? key : String(key);
    path = childPath(path, k, inRecord);
    inRecord = holdsRecord(k, inRecord);
  }
  return path;
}

/** The output of `schema` for `value` when it fits the format, else undefined: how the rules read a field without judging its shape again. */
export function valid<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> | undefined {
  const result = v.safeParse(schema, value, { abortEarly: true });
  return result.success ? result.output : undefined;
}

/**
 * Check a scenario's shape. On success, the scenario as valibot copied it
 * (only known fields); always, every problem found, in the format's words.
 */
export function checkShape(input: unknown): { readonly scenario: Scenario | undefined; readonly errors: readonly ValidationError[] } {
  const result = v.safeParse(scenarioSchema, input, { abortPipeEarly: true });
  if (result.success) {
    const { format: _format, ...scenario } = result.output;
    return { scenario, errors: [] };
  }
  return { scenario: undefined, errors: result.issues.map((issue) => ({ path: pathOf(issue), message: issue.type === 'never' ? `unknown field ${quote(lastKey(issue))}: ${issue.message}` : issue.message })) };
}

function lastKey(issue: v.BaseIssue<unknown>): string {
  return String(issue.path?.at(-1)?.key);
}
