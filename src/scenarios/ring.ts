/**
 * gfs2-dio-ring with N tasks: task i reads file i with O_DIRECT into a
 * private mmap of file (i + 1) mod N. N = 2 is gfs2-abba-dio. Under
 * gfs2-5.15, if every task takes its own DF glock before any faults, each
 * waits for the next one's: a wait-for cycle of N.
 */
import { runs } from './schedule.ts';
import type { Scenario } from './types.ts';

export const MAX_RING_TASKS = 8;

export function gfs2DioRing(n: number): Scenario {
  const tasks = Math.max(2, Math.min(MAX_RING_TASKS, Math.trunc(n)));
  const names = Array.from({ length: tasks }, (_, i) => `F${i + 1}`);
  const pids = Array.from({ length: tasks }, (_, i) => 101 + i);
  return {
    id: 'gfs2-dio-ring',
    title: `A ring of ${tasks} O_DIRECT reads, each into an mmap of the next task's file`,
    story: `Jan Kara's ABBA example generalized: task i reads F(i) with O_DIRECT into a private mmap of F(i+1), the last into an mmap of F1. Each holds its file's glock DF while get_user_pages faults on the next file, wanting SH.`,
    fs: 'gfs2',
    variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
    files: names.map((name) => ({ name, pages: ['disk'] })),
    mappings: names.map((_, i) => ({ process: i, file: names[(i + 1) % tasks] ?? 'F1', at: 0, pages: 1, shared: false })),
    tasks: pids.map((pid, i) => ({ pid, process: i, program: [{ call: 'pread', file: names[i] ?? 'F1', pos: 0, len: 1, buf: 0, direct: true }] })),
    schedules: [
      {
        name: 'everyone-takes-DF-first',
        description: 'Each task takes its own file’s glock DF before any faults.',
        steps: runs(...pids.map((pid) => [pid, 3] as const)),
        expect: {
          'gfs2-5.15': { kind: 'deadlock', summary: `a wait-for cycle of ${tasks}: each task holds its glock DF and waits for the next one's SH`, basis: 'inferred' },
          'gfs2-rfc-2021': { kind: 'completed', summary: 'every fault fails its trylock and the reads retry', basis: 'inferred' },
          'gfs2-5.16': { kind: 'deadlock', summary: `the same cycle of ${tasks}: each DF holder is marked weak, but a local SH waiter is neither granted under DF nor allowed to demote it (do_promote, v5.16)`, basis: 'verified' },
          'gfs2-5.18': { kind: 'completed', summary: 'drop the glock, fault in, retry', basis: 'inferred' },
        },
      },
    ],
    sources: ['RFC thread: 20210423173018.23133-2-jack@suse.cz (Jan Kara)', 'fs/gfs2/file.c: gfs2_file_direct_read'],
  };
}
