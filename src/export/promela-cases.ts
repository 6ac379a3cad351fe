/**
 * The scenarios the Promela export is checked on besides the presets, and the
 * list of every export case: promela.test.ts runs Spin on them, and
 * promela-golden.test.ts holds the exported text of each to the digests in
 * promela-golden.json (written by scripts/promela-golden.ts).
 */
import type { VariantId } from '../kernel/variants.ts';
import { VARIANTS } from '../kernel/variants.ts';
import { PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing, MAX_RING_TASKS } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';

/** Scenarios beyond the presets, for the paths no preset takes: truncate, hole punch, user stores, MAP_SHARED (page_mkwrite), O_DIRECT writes, two nodes. */
export const CUSTOM: readonly Scenario[] = [
  {
    id: 'truncate-vs-shared-write',
    title: 'A store and a write from a shared mmap of F race with truncate of F',
    story: 'pid 101 stores to a MAP_SHARED page of F (gfs2_page_mkwrite), then writes F from its own mapping of F; pid 102 truncates F, then writes F from a shared mapping of G.',
    fs: 'gfs2',
    variants: ['gfs2-5.15', 'gfs2-5.18'],
    files: [
      { name: 'F', pages: ['disk', 'cached'] },
      { name: 'G', pages: ['disk'] },
    ],
    mappings: [
      { process: 0, file: 'F', at: 0, pages: 2, shared: true },
      { process: 1, file: 'G', at: 0, pages: 1, shared: true },
    ],
    tasks: [
      { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: true }, { call: 'pwrite', file: 'F', pos: 1, len: 1, buf: 0 }] },
      { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }, { call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 0 }] },
    ],
    schedules: [],
    sources: [],
  },
  {
    id: 'punch-vs-read-two-nodes',
    title: 'A buffered read on node 0 races with a hole punch and an O_DIRECT write on node 1',
    story: 'pid 101 on node 0 reads F into a private mmap of G; pid 102 on node 1 punches page 0 of F, then writes page 1 (a hole) with O_DIRECT from a shared mmap of F, which falls back to a buffered write.',
    fs: 'gfs2',
    variants: ['gfs2-5.15', 'gfs2-5.18'],
    nodes: 2,
    files: [
      { name: 'F', pages: ['cached', 'hole'] },
      { name: 'G', pages: ['disk', 'disk'] },
    ],
    mappings: [
      { process: 0, file: 'G', at: 0, pages: 2, shared: false },
      { process: 1, file: 'F', at: 3, pages: 2, shared: true },
    ],
    tasks: [
      { pid: 101, process: 0, node: 0, program: [{ call: 'pread', file: 'F', pos: 0, len: 2, buf: 0 }] },
      { pid: 102, process: 1, node: 1, program: [{ call: 'punch', file: 'F', pos: 0, len: 1 }, { call: 'pwrite', file: 'F', pos: 1, len: 1, buf: 3, direct: true }] },
    ],
    schedules: [],
    sources: [],
  },
  {
    id: 'read-self-prefaulted',
    title: 'gfs2-read-self with the buffer page already faulted in',
    story: 'The copy into the read-only PTE of a private mapping write-faults into do_wp_page (COW), which never calls gfs2_fault: no recursive glock.',
    fs: 'gfs2',
    variants: ['gfs2-5.15', 'gfs2-5.18'],
    files: [{ name: 'F', pages: ['hole-cached', 'disk'] }],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false, faulted: [0] }],
    tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 1, len: 1, buf: 0 }] }],
    schedules: [],
    sources: [],
  },
];

export interface PromelaCase {
  /** `scenario variant`, and ` shown` when the scratch variables are not hidden. */
  readonly name: string;
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly hidden: boolean;
}

/**
 * Every preset under every variant (the refusals too), the ring of 2 to
 * MAX_RING_TASKS and the custom scenarios under every gfs2 variant, each with
 * its scratch variables hidden and not.
 */
export function promelaCases(): PromelaCase[] {
  const gfs2 = VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id);
  const rings = Array.from({ length: MAX_RING_TASKS - 1 }, (_, i) => gfs2DioRing(i + 2));
  const named = [
    ...PRESETS.flatMap((scenario) => VARIANTS.map((v) => ({ label: scenario.id, scenario, variant: v.id }))),
    ...rings.flatMap((scenario) => gfs2.map((variant) => ({ label: `${scenario.id}/${scenario.tasks.length}`, scenario, variant }))),
    ...CUSTOM.flatMap((scenario) => gfs2.map((variant) => ({ label: scenario.id, scenario, variant }))),
  ];
  return named.flatMap(({ label, scenario, variant }) => [
    { name: `${label} ${variant}`, scenario, variant, hidden: true },
    { name: `${label} ${variant} shown`, scenario, variant, hidden: false },
  ]);
}
