/**
 * Scenarios beyond the presets, for the kernel paths no preset takes: what
 * the scenario editor lets anyone build. Tests run them where presets do
 * not reach: the Promela export and Spin (export/promela-cases.ts), and the
 * explorer's reductions on a truncate that zaps another process's PTEs.
 */
import type { Scenario } from './types.ts';

/** Scenarios beyond the presets, for the paths no preset takes: truncate, hole punch, user stores, MAP_SHARED (page_mkwrite), O_DIRECT writes, two nodes. */
export const EXTRA_SCENARIOS: readonly Scenario[] = [
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
