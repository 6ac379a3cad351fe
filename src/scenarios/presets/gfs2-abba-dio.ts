import type { Scenario } from '../types.ts';

export const gfs2AbbaDio: Scenario = {
  id: 'gfs2-abba-dio',
  title: 'x',
  story: 'x',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18'],
  files: [{ name: 'F1', pages: ['disk'] }, { name: 'F2', pages: ['disk'] }],
  mappings: [
    { process: 0, file: 'F2', at: 0, pages: 1, shared: false },
    { process: 1, file: 'F1', at: 0, pages: 1, shared: false },
  ],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pread', file: 'F1', pos: 0, len: 1, buf: 0, direct: true }] },
    { pid: 102, process: 1, program: [{ call: 'pread', file: 'F2', pos: 0, len: 1, buf: 0, direct: true }] },
  ],
  schedules: [],
  sources: [],
};
