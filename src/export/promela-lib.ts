/**
 * The fixed part of the Promela model that `promela.ts` writes: the lock
 * primitives and the kernel paths of the gfs2 variants, at lock granularity.
 * The Promela text lives in the templates `src/export/promela/*.pml` (their
 * language: promela-template.ts); this module picks the parts a scenario
 * reaches under a variant and fills them in. Scenario data (files, mappings,
 * programs) is not here: `promela.ts` generates it, and the inlines read it
 * through the names it defines (`NT`, `NI`, `NX`, `slot_of`, `find_vma`, ...).
 *
 * The templates translate `src/kernel/sleeplock.ts`, `src/kernel/glock.ts`
 * and the thread machines of `src/threads` (gfs2.ts, gfs2-write.ts,
 * iomap.ts, copy.ts, fault.ts, filemap.ts, truncate.ts, task.ts). Each
 * machine becomes a `do` loop over a state variable; each atomic step of the
 * simulator is one `atomic` block (steps that read and write only the task's
 * own registers are folded into the next step, as the explorer's local
 * reduction does). promela-places.ts says which place of the model each
 * machine state is, and promela-places.test.ts holds the two together. Only
 * the code of the chosen variant is emitted, so a model for gfs2-5.18 reads
 * as gfs2-5.18.
 */
import type { Gfs2Fix } from '../kernel/variants.ts';
import { renderTemplate, type TemplateContext, type TemplateSources } from './promela-template.ts';
import { PROMELA_TEMPLATES } from './promela-templates.ts';

/** The program entries the model has a syscall machine for. */
export const CALLS = ['pread', 'pwrite', 'truncate', 'punch', 'mmap', 'touch'] as const;
export type Call = (typeof CALLS)[number];

/** What the library needs to know about the run to emit only the relevant code. */
export interface LibraryOptions {
  readonly fix: Gfs2Fix;
  /** The calls some task makes: code for the others is left out. */
  readonly calls: ReadonlySet<Call>;
}

/** Template `name` (promela/NAME.pml) under `ctx`; `templates` other than the generated ones only in tests. */
export function render(name: string, ctx: TemplateContext = {}, templates: TemplateSources = PROMELA_TEMPLATES): string {
  return renderTemplate(templates, name, ctx);
}

/** The flags the templates test for a variant: one per fix, and the groups the code branches on. */
export function fixFlags(fix: Gfs2Fix): Record<string, boolean> {
  const late = fix === '5.18' || fix === '6.4';
  return { none: fix === 'none', rfc: fix === 'rfc', v516: fix === '5.16', v518: fix === '5.18', v64: fix === '6.4', late, nofault: fix === '5.16' || late };
}

/** Split a section into its definitions (#define, hidden, comments before the options) and its `do` options. */
function split(section: string): { defs: string; options: string } {
  const all = section.split('\n');
  const at = all.findIndex((l) => l.startsWith('  :: '));
  return at < 0 ? { defs: section, options: '' } : { defs: all.slice(0, at).join('\n'), options: all.slice(at).join('\n') };
}

export type CalleeKind = 'read' | 'dio' | 'buffered' | 'faultin' | 'touch';

/** Which callees and handlers the scenario can reach: only their code is emitted. */
export interface Reach {
  readonly kinds: ReadonlySet<CalleeKind>;
  /** Some VMA is MAP_SHARED: ->page_mkwrite can run. */
  readonly shared: boolean;
}

/** The template of each callee, in the order the model lists them. */
const CALLEES: readonly (readonly [CalleeKind, string])[] = [
  ['read', 'filemap-read'],
  ['dio', 'iomap-dio-rw'],
  ['buffered', 'iomap-buffered-write'],
  ['faultin', 'fault-in-iov-iter'],
  ['touch', 'user-access'],
];

/**
 * The code of every kernel path the scenario's calls reach, under the
 * variant, and `run_syscall` (kernel-paths.pml). promela-places.test.ts
 * passes templates whose places are left in as comments.
 */
export function kernelPaths(options: LibraryOptions & Reach, templates: TemplateSources = PROMELA_TEMPLATES): string {
  const { fix, calls, kinds, shared } = options;
  const ctx: TemplateContext = {
    ...fixFlags(fix),
    shared,
    callee_any: kinds.size > 0,
    ...Object.fromEntries(CALLEES.map(([kind]) => [`callee_${kind}`, kinds.has(kind)])),
  };
  const sections = [
    calls.has('pread') ? 'read-iter' : null,
    calls.has('pwrite') ? 'write-iter' : null,
    calls.has('truncate') || calls.has('punch') ? 'truncate' : null,
    calls.has('mmap') ? 'mmap' : null,
    calls.has('touch') ? 'touch' : null,
  ].flatMap((name) => (name === null ? [] : [split(render(name, ctx, templates))]));
  const callees = CALLEES.flatMap(([kind, name]) => (kinds.has(kind) ? [render(name, ctx, templates)] : []));
  const paths = { ...ctx, callees: callees.join('\n\n'), syscall_defs: sections.map((sec) => sec.defs), syscall_options: sections.map((sec) => sec.options) };
  return render('kernel-paths', paths, templates);
}
