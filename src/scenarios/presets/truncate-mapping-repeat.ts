import { runs } from '../schedule.ts';
import type { Scenario } from '../types.ts';

export const truncateMappingRepeat: Scenario = {
  id: 'truncate-mapping-repeat',
  title: 'Truncate removes the hole page a fault looked up',
  story:
    'Page 1 of F is a hole with a zeroed page in the page cache (from an earlier load). pid 101 loads from it: do_dax_fault finds the page and takes a reference, ' +
    'but not the lock. pid 102 truncates F to one page, which removes the page from the page cache (page->mapping = NULL). pid 101 then locks the page, sees the ' +
    'mapping changed, unlocks, drops it and looks up again: the lookup misses, and the size re-check under the new page\'s lock sends SIGBUS. ' +
    '"It\'s basically the same code that\'s in filemap_fault()."',
  fs: 'ext2-dax',
  variants: ['dax-2015'],
  files: [{ name: 'F', pages: ['disk', 'hole-cached'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: false }] },
    { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [
    {
      name: 'truncate-after-find-get-page',
      description: 'pid 101 takes its reference on the hole page; pid 102 truncates; pid 101 locks the page.',
      steps: runs([101, 8], [102, 17]),
      expect: {
        'dax-2015': {
          kind: 'sigbus',
          summary: 'page->mapping != mapping → unlock, put, repeat → find_get_page misses → dax_load_hole re-checks i_size under the page lock → VM_FAULT_SIGBUS → SIGBUS',
          returns: { '101': [2], '102': [0] },
          basis: 'verified',
        },
      },
    },
  ],
  sources: ['seed dax-fault-handler-2015: "This case is where we have a struct page covering a hole in the file from a read fault and we\'ve raced with a truncate"', 'fs/dax.c (v4.0): do_dax_fault', 'mm/filemap.c: filemap_fault'],
};
