import { runs } from '../schedule.ts';
import type { Expectation, Scenario } from '../types.ts';

/** What src/mmap-rw-fault.c checks after each of its five cases, when every call returns one page. */
const passes = (summary: string, basis: Expectation['basis']): Expectation => ({
  kind: 'completed',
  summary,
  returns: { '101': [4096, 4096, 4096, 4096, 4096] },
  // Cases 1 and 2 read page 1 into mapping page 0; cases 3 and 4 write mapping page 1 to file page 0; case 5 reads the hole.
  userPages: { '0:0': 'Fa:1', '0:2': 'Fb:1', '0:8': '0' },
  filePages: { 'Fc:0': 'Fc:1', 'Fd:0': 'Fd:1' },
  basis,
});

export const xfstests647: Scenario = {
  id: 'xfstests-647',
  title: 'xfstests generic/647: mmap-rw-fault',
  story:
    'The test program Andreas Gruenbacher wrote with the fix: a two-page file (page 0 a hole, page 1 data) mapped MAP_PRIVATE, then, in order: ' +
    '1. buffered pread of page 1 into mapping page 0; 2. the same with O_DIRECT; 3. buffered pwrite from mapping page 1 to file page 0; ' +
    '4. the same with O_DIRECT; 5. O_DIRECT pread of the hole into mapping page 0. Each must return 4096 and the data must match. ' +
    'The test re-creates the file and the mapping for each case; here each case has its own file (Fa … Fe) and mapping, which is the same to the kernel.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: ['Fa', 'Fb', 'Fc', 'Fd', 'Fe'].map((name) => ({ name, pages: ['hole', 'disk'] as const })),
  mappings: ['Fa', 'Fb', 'Fc', 'Fd', 'Fe'].map((file, i) => ({ process: 0, file, at: 2 * i, pages: 2, shared: false })),
  tasks: [
    {
      pid: 101,
      process: 0,
      program: [
        { call: 'pread', file: 'Fa', pos: 1, len: 1, buf: 0 },
        { call: 'pread', file: 'Fb', pos: 1, len: 1, buf: 2, direct: true },
        { call: 'pwrite', file: 'Fc', pos: 0, len: 1, buf: 5 },
        { call: 'pwrite', file: 'Fd', pos: 0, len: 1, buf: 7, direct: true },
        { call: 'pread', file: 'Fe', pos: 0, len: 1, buf: 8, direct: true },
      ],
    },
  ],
  schedules: [
    {
      name: 'the-test-program',
      description: 'pid 101 runs the five cases in order.',
      steps: runs([101, 15]),
      expect: {
        'gfs2-5.15': { kind: 'bug', summary: 'case 1 already BUGs: the buffered read\'s copy faults on its own file under the SH glock → trap_recursive', basis: 'verified' },
        'gfs2-rfc-2021': passes('every case returns 4096 and the data matches: covered faults take no new holder, incompatible or contended ones come back as -EFAULT and are retried', 'inferred'),
        'gfs2-5.16': {
          kind: 'deadlock',
          summary:
            'case 1 returns 4096 (gfs2_fault’s SH shares the SH glock beside the weak holder); case 2 hangs: the O_DIRECT read’s DF holder is marked weak, its fault-in asks for SH on the same glock, and do_promote neither grants SH under DF nor demotes a weak holder for a local waiter, so pid 101 waits for itself. ' +
            'Run one by one, cases 3 and 4 complete (the fault’s SH is granted beside the weak EX, "holder stealing") and case 5 hangs like case 2. From the v5.16 code; no 5.16 run of generic/647 was reported, and the series it came with says it fixes these cases.',
          returns: { '101': [4096] },
          basis: 'verified',
        },
        'gfs2-5.18': passes('every case returns 4096 and the data matches', 'verified'),
      },
    },
  ],
  sources: ['xfstests tests/generic/647 and src/mmap-rw-fault.c', 'seed gfs2-page-faults-2021', 'commits 00bfe02f4796, b01b2d72da25, dc732906c245, 296abc0d91d8, e1fa9ea85ce8'],
};
