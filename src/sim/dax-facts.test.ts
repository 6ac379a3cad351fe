// DAX in 4.0 as a reviewer of the seed's patch would state it: the COW fault, the write that drops hole pages, the -EIO exit, the names.
import { describe, expect, it } from 'vitest';
import { readUser } from '../kernel/uaccess.ts';
import { buildSetup, filePageContent } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import { runs } from '../scenarios/schedule.ts';
import type { Scenario } from '../scenarios/types.ts';
import { validateScenario } from '../scenarios/validate.ts';
import { replay } from './replay.ts';
import { indexWhere, stepsWhere } from './trace-query.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

function scheduled(id: string, name: string): readonly number[] {
  const steps = preset(id).schedules.find((s) => s.name === name)?.steps;
  if (steps === undefined) throw new Error(`no schedule ${name}`);
  return steps;
}

function custom(json: unknown): Scenario {
  const result = validateScenario(json);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return result.scenario;
}

describe('a write fault on a MAP_PRIVATE DAX mapping (vmf->cow_page)', () => {
  const scenario = preset('dax-private-write');

  it('copies the block into the COW page with copy_user_bh and maps the anonymous copy: the file block is never mapped writable and another process still reads the file’s data', () => {
    const run = replay(buildSetup(scenario), 'dax-2015', scheduled('dax-private-write', 'private-copy'), { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    // Both stores take the COW branch (copy_user_bh into vmf->cow_page, no page to lock); none maps the block (vm_insert_mixed).
    expect(stepsWhere(run.trace, { pid: 101, machine: 'do_dax_fault', from: 'copy_user_bh', event: 'cow.nopage' })).toHaveLength(2);
    expect(stepsWhere(run.trace, { pid: 101, machine: 'do_dax_fault', from: 'vm_insert_mixed' })).toEqual([]);
    const last = run.states[run.states.length - 1];
    if (last === undefined) throw new Error('no state');
    // pid 101's page 0 is its own anonymous page holding its store; the file (block 0) and pid 102's view keep F:0.
    expect(last.kernel.mms[0]?.ptes[0]).toEqual({ kind: 'anon', content: 'w101' });
    expect(readUser(last.kernel, 1, 0)).toBe('F:0');
    expect(filePageContent(last.kernel, 0, 0)).toBe('F:0');
    expect(last.kernel.mms.flatMap((mm) => mm.ptes).some((pte) => pte?.kind === 'dax' && pte.writable)).toBe(false);
  });

  it('on a hole calls clear_user_highpage and allocates no block ("!buffer_mapped && !buffer_unwritten && !vmf->cow_page")', () => {
    // pid 101's two stores, then stop before the truncate.
    const run = replay(buildSetup(scenario), 'dax-2015', runs([101, 19], [101, 19]));
    expect(run.refused).toBeNull();
    expect(stepsWhere(run.trace, { machine: 'do_dax_fault', from: 'copy_user_bh', event: 'cow.nopage' })).toHaveLength(2);
    const last = run.states[run.states.length - 1];
    expect(last?.kernel.inodes[0]?.map[1]).toBeNull();
    expect(last?.kernel.blocks.filter((b) => b.owner !== null)).toHaveLength(1);
    expect(last?.kernel.mms[0]?.ptes[1]).toEqual({ kind: 'anon', content: 'w101' });
  });

  it('with no hole page returns VM_FAULT_LOCKED holding i_mmap for read after its own i_size re-check; do_cow_fault drops it once the copy is mapped', () => {
    const run = replay(buildSetup(scenario), 'dax-2015', runs([101, 19], [102, 20], [101, 12]));
    const last = run.states[run.states.length - 1];
    expect(run.trace.at(-1)).toMatchObject({ machine: 'do_dax_fault', from: 'cow_size_recheck', event: 'fault.locked' });
    expect(last?.kernel.inodes[0]?.i_mmap.readers).toEqual([101]);
    const more = replay(buildSetup(scenario), 'dax-2015', runs([101, 19], [102, 20], [101, 15]));
    expect(more.trace.at(-1)).toMatchObject({ machine: 'do_page_fault', from: 'do_cow_fault', event: 'fault.mapped' });
    // The copy of a hole is a zeroed page (clear_user_highpage); the store that faulted has not run yet.
    expect(more.states.at(-1)?.kernel.mms[0]?.ptes[1]).toEqual({ kind: 'anon', content: '0' });
    expect(more.states[more.states.length - 1]?.kernel.inodes[0]?.i_mmap.readers).toEqual([]);
  });

  it('a truncate that ran while the copy was made is caught by that re-check: -EIO → SIGBUS', () => {
    const run = replay(buildSetup(scenario), 'dax-2015', scheduled('dax-private-write', 'truncate-caught-by-recheck'), { finish: true });
    expect(run.outcome?.kind).toBe('sigbus');
    expect(stepsWhere(run.trace, { machine: 'do_dax_fault', from: 'cow_size_recheck', event: 'dax.eio' })).toHaveLength(1);
  });

  it('with a hole page, hands it back as vmf->page and do_cow_fault copies from it (copy_user_highpage), then unlocks and releases it', () => {
    const s = custom({
      id: 'cow-hole-page',
      title: 't',
      story: '',
      fs: 'ext2-dax',
      variants: ['dax-2015'],
      files: [{ name: 'F', pages: ['hole-cached'] }],
      mappings: [{ process: 0, file: 'F', at: 0, pages: 1, shared: false }],
      tasks: [{ pid: 101, process: 0, program: [{ call: 'touch', vpage: 0, write: true }] }],
      schedules: [],
      sources: [],
    });
    const run = replay(buildSetup(s), 'dax-2015', [], { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    // ->fault returns VM_FAULT_LOCKED with the hole page as vmf->page, still locked; do_cow_fault copies from it, then unlocks it.
    const handed = indexWhere(run.trace, { machine: 'do_dax_fault', from: 'copy_user_bh', event: 'fault.locked' });
    expect(handed).toBeGreaterThan(0);
    expect(run.states[handed + 1]?.kernel.pages[0]?.lock.writer).toBe(101);
    const copied = indexWhere(run.trace, { machine: 'do_page_fault', from: 'do_cow_fault', event: 'fault.mapped' }, handed);
    expect(copied).toBeGreaterThan(handed);
    expect(run.states[copied + 1]?.kernel.pages[0]?.lock.writer).toBeNull();
    expect(run.states.at(-1)?.kernel.mms[0]?.ptes[0]).toEqual({ kind: 'anon', content: 'w101' });
    const page = run.states[run.states.length - 1]?.kernel.pages[0];
    expect(page?.lock.writer).toBeNull();
    expect(page?.refs).toBe(0);
  });
});

describe('the -EIO exit with the hole page locked and its mapping intact (dax-hole-page-eio)', () => {
  it('under dax-2015: i_size already cut, page->mapping unchanged → -EIO → unlock_page and page_cache_release → VM_FAULT_SIGBUS', () => {
    const run = replay(buildSetup(preset('dax-hole-page-eio')), 'dax-2015', scheduled('dax-hole-page-eio', 'truncate-before-lock-page'), { finish: true });
    expect(run.outcome?.kind).toBe('sigbus');
    expect(stepsWhere(run.trace, { machine: 'do_dax_fault', from: 'check_mapping', event: 'page.ok' })).toHaveLength(1);
    // The reference find_get_page took is dropped; what is left is truncate's own, which its page walk
    // holds while it sleeps for the page lock (find_lock_entries), until it deletes the page.
    const eio = indexWhere(run.trace, { machine: 'do_dax_fault', from: 'size_check_locked', event: 'dax.fail' });
    expect(eio).toBeGreaterThan(0);
    expect(run.states[eio]?.kernel.pages[0]?.lock.writer).toBe(101);
    expect(run.states[eio + 1]?.kernel.pages[0]?.lock.writer).not.toBe(101);
    const beforeEio = run.states[eio];
    const afterEio = run.states[eio + 1];
    expect(afterEio?.kernel.pages[0]?.refs).toBe((beforeEio?.kernel.pages[0]?.refs ?? 0) - 1);
    expect(afterEio?.kernel.pages[0]?.refs).toBe(1);
    expect(afterEio?.kernel.pages[0]?.mapping).toBe(0);
  });
});

describe('4.0 names on the DAX fault path', () => {
  it('->fault is ext2_dax_fault → dax_fault, which brackets a write fault with sb_start_pagefault, file_update_time … sb_end_pagefault', () => {
    const run = replay(buildSetup(preset('dax-truncate')), 'dax-2015', scheduled('dax-truncate', 'pte-before-unmap'), { finish: true });
    const labels = run.trace.map((t) => t.label);
    expect(labels).toContain('handle_mm_fault → do_shared_fault → ->fault = ext2_dax_fault');
    expect(labels).toContain('dax_fault: sb_start_pagefault, file_update_time → do_dax_fault(F:1)');
    expect(labels).toContain('sb_end_pagefault → return VM_FAULT_NOPAGE');
  });

  it('a read fault has no sb_start_pagefault, and lock_page_or_retry releases the page with page_cache_release', () => {
    const run = replay(buildSetup(preset('lock-page-retry')), 'dax-2015', scheduled('lock-page-retry', 'retry-then-sleep'), { finish: true });
    const labels = run.trace.map((t) => t.label);
    expect(labels).toContain('dax_fault → do_dax_fault(F:1)');
    expect(labels).toContain('page unlocked → page_cache_release → VM_FAULT_RETRY');
    expect(labels.some((l) => l.includes('put_page'))).toBe(false);
  });
});

describe('a DAX write and the hole pages in its range (dax-write-hole-page)', () => {
  const scenario = preset('dax-write-hole-page');

  it('under dax-2015, generic_file_direct_write drops the mapped hole page before ->direct_IO: the PTE goes, the page leaves the page cache, and the next load maps the written block', () => {
    const steps = scheduled('dax-write-hole-page', 'write-drops-the-hole-page');
    const run = replay(buildSetup(scenario), 'dax-2015', steps, { finish: true });
    expect(run.outcome?.kind).toBe('completed');
    const invalidate = indexWhere(run.trace, { pid: 102, from: 'invalidate_before_invalidate' });
    const directIo = indexWhere(run.trace, { pid: 102, from: 'next_page', event: 'io.page' });
    expect(invalidate).toBeGreaterThan(0);
    expect(directIo).toBeGreaterThan(invalidate);
    // Right after the write: no PTE to the hole page, no hole page in the cache.
    const afterWrite = run.states[18 + 13];
    expect(afterWrite?.kernel.mms[0]?.ptes[1] ?? null).toBeNull();
    expect(afterWrite?.kernel.inodes[0]?.cache[1]).toBeNull();
    expect(afterWrite?.kernel.pages[0]?.mapping).toBeNull();
    const last = run.states[run.states.length - 1];
    if (last === undefined) throw new Error('no state');
    expect(last.kernel.mms[0]?.ptes[1]).toEqual({ kind: 'dax', block: 2, writable: false });
    expect(readUser(last.kernel, 0, 1)).toBe('G:0');
  });

  it('under dax-2015, a hole page faulted in between the two invalidations is dropped by the one after ->direct_IO', () => {
    const run = replay(buildSetup(scenario), 'dax-2015', scheduled('dax-write-hole-page', 'hole-page-between-invalidations'), { finish: true });
    const copy = indexWhere(run.trace, { pid: 102, from: 'copy_from_iter' });
    // Each invalidation that finds the page mapped unmaps it and deletes it from the page cache (invalidate_complete_page2).
    const drops = run.trace.flatMap((t, i) => (t.pid === 102 && (t.from === 'invalidate_before_invalidate' || t.from === 'invalidate_after_invalidate') ? [i] : []));
    expect(drops).toHaveLength(2);
    expect(drops[1]).toBeGreaterThan(copy);
    for (const i of drops) expect(run.states[i + 1]?.kernel.pages.filter((p) => p.mapping !== null)).toEqual([]);
    const last = run.states[run.states.length - 1];
    if (last === undefined) throw new Error('no state');
    expect(last.tasks.find((t) => t.pid === 101)?.returns).toEqual([0, 0, 0]);
    expect(readUser(last.kernel, 0, 1)).toBe('G:0');
  });

  it('under dax-invalidate-lock (5.15), the invalidation follows the allocation of a new block (IOMAP_F_NEW), before the copy', () => {
    const run = replay(buildSetup(scenario), 'dax-invalidate-lock', scheduled('dax-write-hole-page', 'iomap-new-block-invalidates'), { finish: true });
    const allocated = indexWhere(run.trace, { pid: 102, machine: 'dax_write_iter', event: 'io.new' });
    expect(allocated).toBeGreaterThan(0);
    expect(run.states[allocated + 1]?.kernel.inodes[0]?.map[1]).toBe(2);
    const dropped = indexWhere(run.trace, { pid: 102, from: 'invalidate_new_invalidate' }, allocated);
    expect(dropped).toBeGreaterThan(allocated);
    expect(dropped).toBeLessThan(indexWhere(run.trace, { pid: 102, from: 'copy_from_iter' }));
  });

  it('costs no step when the file has nothing in the page cache (mapping->nrpages == 0)', () => {
    const run = replay(buildSetup(preset('imutex-mmapsem')), 'dax-2015', scheduled('imutex-mmapsem', 'self-deadlock'), { finish: true });
    expect(run.trace.filter((t) => t.event === 'io.invalidate' || t.event === 'invalidate.page' || t.event === 'invalidate.done')).toEqual([]);
  });
});
