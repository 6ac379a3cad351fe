import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const gfs2WriteVsMmap: Scenario = {
  id: 'gfs2-write-vs-mmap',
  title: 'write() under the glock vs mmap() in the same process',
  story:
    'Two threads of one process. pid 101 writes F from a buffer that is a private mmap of G, not yet faulted in; pid 102 mmaps F. ' +
    'pid 101 holds i_rwsem and the glock of F EX when its prefault needs mmap_lock for read; pid 102 holds mmap_lock for write in mmap(), ' +
    'and gfs2_mmap wants the glock of F SH to update atime.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [
    { name: 'F', pages: ['disk'] },
    { name: 'G', pages: ['disk'] },
  ],
  mappings: [{ process: 0, file: 'G', at: 0, pages: 1, shared: false }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pwrite', file: 'F', pos: 0, len: 1, buf: 0 }] },
    { pid: 102, process: 0, program: [{ call: 'mmap', file: 'F', pgoff: 0, len: 1, at: 4, shared: true }] },
  ],
  schedules: [
    {
      name: 'mmap-between-glock-and-fault',
      description: 'pid 101 gets as far as its glock (5.18: its prefault), then pid 102 takes mmap_lock for write.',
      steps: runs([101, 4], [102, 2]),
      expect: {
        'gfs2-5.15': {
          kind: 'deadlock',
          summary: 'pid 101 holds glock 2/F EX and waits for mmap_lock (held for write by pid 102); pid 102 holds mmap_lock and waits for glock 2/F SH in gfs2_mmap',
          basis: 'inferred',
        },
        'gfs2-rfc-2021': {
          kind: 'deadlock',
          summary: 'the same cycle: the RFC turns the glock request in gfs2_fault into a trylock, but pid 101 blocks earlier, on mmap_lock, still holding EX',
          basis: 'inferred',
        },
        'gfs2-5.16': {
          kind: 'completed',
          summary: 'the copy runs with page faults disabled, so pid 101 never waits for mmap_lock under the glock; its fault-in waits with the holder may-demote, gfs2_mmap demotes it, and the write re-acquires EX: 4096',
          returns: { '101': [4096], '102': [0] },
          basis: 'inferred',
        },
        'gfs2-5.18': {
          kind: 'completed',
          summary: 'the source is faulted in before EX is taken: pid 101 waits for mmap_lock holding no glock, and both finish',
          returns: { '101': [4096], '102': [0] },
          basis: 'inferred',
        },
      },
    },
  ],
  sources: ['fs/gfs2/file.c: gfs2_mmap, gfs2_file_buffered_write', 'mm/mmap.c: do_mmap under mmap_write_lock', 'commits 00bfe02f4796, e1fa9ea85ce8'],
};
