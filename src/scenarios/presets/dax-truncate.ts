import type { Scenario } from '../types.ts';

export const daxTruncate: Scenario = {
  id: 'dax-truncate',
  title: 'DAX write fault racing truncate',
  story: 'x',
  fs: 'ext2-dax',
  variants: ['dax-2015', 'dax-2015-norecheck', 'dax-invalidate-lock'],
  files: [{ name: 'F', pages: ['disk', 'hole'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: true }] },
    { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [],
  sources: [],
};
