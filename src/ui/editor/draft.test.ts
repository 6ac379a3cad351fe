import { describe, expect, it } from 'vitest';
import { PRESETS, findPreset } from '../../scenarios/index.ts';
import { gfs2DioRing } from '../../scenarios/ring.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { validateScenario } from '../../scenarios/validate.ts';
import { replay } from '../../sim/replay.ts';
import { buildSetup } from '../../scenarios/build.ts';
import {
  addCall,
  addFile,
  addMapping,
  addTask,
  blankDraft,
  draftOf,
  removeFile,
  scenarioJsonOf,
  setFilesystem,
  toggleVariant,
  updateCall,
  updateMapping,
  updateTask,
  userPagesOf,
  type Draft,
} from './draft.ts';
import { fieldTitle } from './paths.ts';

function check(draft: Draft) {
  return validateScenario(scenarioJsonOf(draft));
}

function errors(draft: Draft): string[] {
  const r = check(draft);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

describe('the editor draft', () => {
  it.each([...PRESETS.map((p) => [p.id, p] as const), ['gfs2-dio-ring (N = 3)', gfs2DioRing(3)] as const])('%s comes back unchanged through the editor', (_, scenario) => {
    const back = check(draftOf(scenario));
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.scenario).toEqual(scenario);
  });

  it('the blank scenario is valid and, under gfs2-5.15, reads into its own mapping and BUGs on the recursive glock', () => {
    const r = check(blankDraft());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(replay(buildSetup(r.scenario), 'gfs2-5.15', [], { finish: true }).outcome?.kind).toBe('bug');
    expect(replay(buildSetup(r.scenario), 'gfs2-5.18', [], { finish: true }).outcome?.kind).toBe('completed');
  });

  it('a half-typed number is kept and the validator names its field', () => {
    const d = updateTask(blankDraft(), 0, (t) => ({ ...t, pid: '10a' }));
    expect(d.tasks[0]?.pid).toBe('10a');
    expect(errors(d)).toEqual(['tasks[0].pid: the pid must be an integer from 1 to 99999, not the string "10a"']);
    expect(errors(updateTask(blankDraft(), 0, (t) => ({ ...t, pid: '' })))).toEqual(['tasks[0].pid: required: the pid, an integer from 1 to 99999']);
  });

  it('a read past the end of the file names the length', () => {
    const d = updateCall(blankDraft(), 0, 0, (c) => ({ ...c, len: '2' }));
    expect(errors(d)).toEqual(['tasks[0].program[0].len: pread of file pages 1–2 runs past the end of F (2 pages): reads past EOF are not modelled']);
  });

  it('switching a call to another and back loses none of its fields', () => {
    const d = updateCall(blankDraft(), 0, 0, (c) => ({ ...c, call: 'mmap', at: '7' }));
    expect(d.tasks[0]?.program[0]).toMatchObject({ call: 'mmap', at: '7', pos: '1' });
    const back = updateCall(d, 0, 0, (c) => ({ ...c, call: 'pread' }));
    expect(check(back).ok).toBe(true);
  });

  it('a buffer is chosen among the mapped user pages, each described by what it maps', () => {
    let d = updateMapping(blankDraft(), 0, (m) => ({ ...m, faulted: [1] }));
    d = updateCall(addCall(d, 0), 0, 1, (c) => ({ ...c, call: 'mmap', file: 'F', at: '8', len: '1', shared: true }));
    expect(userPagesOf(d, '0').map((c) => c.title)).toEqual([
      'user page 0: mapping of F page 0, private',
      'user page 1: mapping of F page 1, private, faulted in',
      'user page 8: mmap by pid 101 of F page 0, shared',
    ]);
    expect(userPagesOf(d, '1')).toEqual([]);
  });

  it('adding a task, a file and a mapping keeps the scenario valid, with a fresh pid and process', () => {
    const d = addMapping(addFile(addTask(blankDraft())));
    expect(d.tasks.map((t) => [t.pid, t.process])).toEqual([
      ['101', '0'],
      ['102', '1'],
    ]);
    expect(d.files.map((f) => f.name)).toEqual(['F', 'F1']);
    // The new task touches user page 0 of process 1, which nothing maps yet: the validator says so.
    expect(errors(d)).toEqual([expect.stringMatching(/^tasks\[1\]\.program\[0\]\.vpage: .*not mapped/)]);
    const mapped = updateMapping(d, 1, (m) => ({ ...m, process: '1', at: '0' }));
    expect(errors(mapped)).toEqual([]);
  });

  it('removing a file the tasks use is reported where each use is', () => {
    const d = removeFile(addFile(blankDraft()), 0);
    expect(errors(d).every((e) => /^(mappings\[0\]|tasks\[0\]\.program\[0\])\.file: no file named "F"/.test(e))).toBe(true);
  });

  it('switching to ext2-dax takes the DAX variants and drops gfs2 nodes', () => {
    const d = setFilesystem({ ...blankDraft(), nodes: '2' }, 'ext2-dax');
    expect(d.variants).toEqual(['dax-2015', 'dax-2015-norecheck', 'dax-imutex-fault', 'dax-invalidate-lock']);
    expect(d.nodes).toBe('1');
    expect(check(d).ok).toBe(true);
    expect(errors(toggleVariant(toggleVariant(toggleVariant(toggleVariant(d, 'dax-2015', false), 'dax-2015-norecheck', false), 'dax-imutex-fault', false), 'dax-invalidate-lock', false))[0]).toMatch(/^variants: /);
  });

  it('names fields in the editor’s words', () => {
    const d = draftOf(preset('gfs2-abba-dio'));
    expect(fieldTitle('tasks[1].program[0].buf', d)).toBe('task 2 (pid 102), call 1 (pread), buf');
    expect(fieldTitle('files[0].pages[1]', d)).toBe('file 1 (F1), pages[1]');
    expect(fieldTitle('', d)).toBe('scenario');
  });
});
