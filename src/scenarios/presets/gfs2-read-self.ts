import type { Scenario } from '../types.ts';

/** xfstests generic/647 step 1: a buffered read into a private mmap of the same gfs2 file. */
export const gfs2ReadSelf: Scenario = {
  id: 'gfs2-read-self',
  title: 'Read into an mmap of the same gfs2 file',
  story:
    'pid 101 maps a two-page gfs2 file F (page 0 a hole, page 1 on disk) MAP_PRIVATE at user page 0, then preads page 1 of F into it. ' +
    'gfs2_file_read_iter takes the inode glock SH and copies to the user buffer; the copy write-faults on user page 0, and gfs2_fault asks for the same glock again.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [{ name: 'F', pages: ['hole', 'disk'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false }],
  tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F', pos: 1, len: 1, buf: 0 }] }],
  schedules: [],
  sources: [],
};
