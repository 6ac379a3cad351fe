import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { VARIANTS } from '../kernel/variants.ts';
import { replay } from '../sim/replay.ts';
import { buildSetup } from './build.ts';
import { PRESETS } from './index.ts';
import { MAX_SCENARIO_JSON_BYTES, jsonSyntaxError, parseScenarioJson, validateScenario, type ValidationError } from './validate.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A deep, plain copy the tests may mutate. */
function clone<T>(value: T): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function asObject(value: Json | undefined): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value;
}

function asList(value: Json | undefined): Json[] {
  if (!Array.isArray(value)) throw new Error('not an array');
  return value;
}

/** Follow a path of keys and indexes to an object in a JSON tree. */
function at(root: Json, ...path: (string | number)[]): JsonObject {
  let node: Json | undefined = root;
  for (const key of path) node = typeof key === 'number' ? asList(node)[key] : asObject(node)[key];
  return asObject(node);
}

/** Two processes on one gfs2 node: an O_DIRECT read into an mmap of F2, a write from an mmap of F1. */
const GFS2_BASE = {
  id: 'custom-gfs2',
  title: 'A custom gfs2 scenario',
  story: 'pid 101 reads F1 into a private mmap of F2; pid 102 writes F2 from a shared mmap of F1.',
  fs: 'gfs2',
  variants: ['gfs2-5.15', 'gfs2-5.18'],
  files: [
    { name: 'F1', pages: ['disk', 'hole'] },
    { name: 'F2', pages: ['disk'] },
  ],
  mappings: [
    { process: 0, file: 'F2', at: 0, pages: 1, shared: false },
    { process: 1, file: 'F1', at: 0, pages: 2, shared: true },
  ],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'pread', file: 'F1', pos: 0, len: 1, buf: 0, direct: true }] },
    { pid: 102, process: 1, program: [{ call: 'pwrite', file: 'F2', pos: 0, len: 1, buf: 0 }] },
  ],
  schedules: [
    {
      name: 'glocks-first',
      description: 'both take their glock, then fault',
      steps: [101, 101, 101, 102, 102, 102, 102],
      expect: {
        'gfs2-5.15': { kind: 'deadlock', summary: 'ABBA on the glocks', basis: 'inferred' },
        'gfs2-5.18': { kind: 'completed', summary: 'both finish', returns: { '101': [4096], '102': [4096] }, userPages: { '0:0': 'F1:0' }, filePages: { 'F2:0': 'F1:0' }, basis: 'inferred' },
      },
    },
  ],
  sources: [],
};

/** One ext2-DAX process: a store to a hole racing truncate. */
const DAX_BASE = {
  id: 'custom-dax',
  title: 'A custom DAX scenario',
  story: '',
  fs: 'ext2-dax',
  variants: ['dax-2015'],
  files: [{ name: 'F', pages: ['disk', 'hole', 'cached'] }],
  mappings: [{ process: 0, file: 'F', at: 0, pages: 3, shared: true }],
  tasks: [
    { pid: 101, process: 0, program: [{ call: 'touch', vpage: 1, write: true }] },
    { pid: 102, process: 1, program: [{ call: 'truncate', file: 'F', size: 1 }] },
  ],
  schedules: [],
  sources: ['seed dax-fault-handler-2015'],
};

function gfs2(mutate: (s: Json) => void = () => undefined): Json {
  const s = clone(GFS2_BASE);
  mutate(s);
  return s;
}

function dax(mutate: (s: Json) => void = () => undefined): Json {
  const s = clone(DAX_BASE);
  mutate(s);
  return s;
}

function errorsOf(input: unknown): readonly ValidationError[] {
  const result = validateScenario(input);
  return result.ok ? [] : result.errors;
}

describe('validateScenario accepts', () => {
  it.each(PRESETS.map((p) => [p.id, p] as const))('preset %s, and returns an equal copy', (_id, preset) => {
    const result = validateScenario(preset);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.scenario).toEqual(preset);
    expect(result.scenario).not.toBe(preset);
  });

  it('every preset after a round trip through JSON', () => {
    for (const preset of PRESETS) expect(parseScenarioJson(JSON.stringify(preset)).ok, preset.id).toBe(true);
  });

  it('the base scenarios of these tests', () => {
    expect(errorsOf(gfs2())).toEqual([]);
    expect(errorsOf(dax())).toEqual([]);
  });

  it('format 1 and the documented defaults spelt out', () => {
    expect(errorsOf(gfs2((s) => Object.assign(asObject(s), { format: 1, nodes: 1, blockSize: 4096, freeBlocks: 4 })))).toEqual([]);
  });

  it('a buffer mapped by an earlier mmap in the same program, or by an mmap in another thread of the process', () => {
    const same = gfs2((s) => {
      at(s, 'tasks', 0).program = [
        { call: 'mmap', file: 'F1', pgoff: 0, len: 2, at: 8, shared: false },
        { call: 'pread', file: 'F2', pos: 0, len: 2 - 1, buf: 9 },
      ];
    });
    expect(errorsOf(same)).toEqual([]);
    const thread = gfs2((s) => {
      asList(asObject(s).tasks).push({ pid: 103, process: 1, program: [{ call: 'mmap', file: 'F2', pgoff: 0, len: 1, at: 4, shared: true }] });
      at(s, 'tasks', 1).program = [{ call: 'touch', vpage: 4, write: false }];
    });
    expect(errorsOf(thread)).toEqual([]);
  });

  it('hole-cached pages on gfs2 and short extents on DAX disk and cached pages', () => {
    expect(errorsOf(gfs2((s) => (at(s, 'files', 1).pages = ['hole-cached'])))).toEqual([]);
    expect(errorsOf(dax((s) => (at(s, 'files', 0).shortExtents = [0, 2])))).toEqual([]);
  });

  it('two gfs2 nodes, with tasks on each', () => {
    expect(
      errorsOf(
        gfs2((s) => {
          asObject(s).nodes = 2;
          at(s, 'tasks', 1).node = 1;
        }),
      ),
    ).toEqual([]);
  });

  it('returns only the known fields, and not the format', () => {
    const result = validateScenario(gfs2((s) => (asObject(s).format = 1)));
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.scenario)).not.toContain('format');
  });
});

/** [what, the scenario, the path of the first problem, fragments of its message]. */
const INVALID: [string, Json, string, string[]][] = [
  ['null', null, '', ['must be an object, not null']],
  ['an array', [], '', ['not an array']],
  ['a string', 'gfs2', '', ['not the string "gfs2"']],
  ['an unknown field', gfs2((s) => (asObject(s).titel = 'typo')), 'titel', ['unknown field "titel"', 'title']],
  ['format 2', gfs2((s) => (asObject(s).format = 2)), 'format', ['unsupported format', 'format 1']],
  ['format "1"', gfs2((s) => (asObject(s).format = '1')), 'format', ['the string "1"']],
  ['a missing id', gfs2((s) => delete asObject(s).id), 'id', ['required']],
  ['an id with capitals', gfs2((s) => (asObject(s).id = 'My_Scenario')), 'id', ['not a valid id', 'lowercase']],
  ['an id of 65 characters', gfs2((s) => (asObject(s).id = 'a'.repeat(65))), 'id', ['65 characters', 'at most 64']],
  ['an empty title', gfs2((s) => (asObject(s).title = '')), 'title', ['must not be empty']],
  ['a title of 201 characters', gfs2((s) => (asObject(s).title = 't'.repeat(201))), 'title', ['at most 200']],
  ['a story of 4001 characters', gfs2((s) => (asObject(s).story = 's'.repeat(4001))), 'story', ['at most 4000']],
  ['fs btrfs', gfs2((s) => (asObject(s).fs = 'btrfs')), 'fs', ["'gfs2', 'ext2-dax', 'ext4', 'xfs'", 'the string "btrfs"']],
  ['no variants', gfs2((s) => (asObject(s).variants = [])), 'variants', ['has 0 entries']],
  ['an unknown variant', gfs2((s) => (asObject(s).variants = ['gfs2-5.15', 'gfs2-9.9', 'gfs2-5.18'])), 'variants[1]', ['unknown variant "gfs2-9.9"']],
  ['a variant listed twice', gfs2((s) => (asObject(s).variants = ['gfs2-5.15', 'gfs2-5.18', 'gfs2-5.15'])), 'variants[2]', ['listed twice']],
  ['a variant of the wrong fs', dax((s) => (asObject(s).variants = ['dax-2015', 'gfs2-5.15'])), 'variants[1]', ["gfs2-5.15 is a gfs2 variant, but the scenario's fs is ext2-dax"]],
  ['a DAX variant on gfs2', gfs2((s) => (asObject(s).variants = ['gfs2-5.15', 'gfs2-5.18', 'dax-2015'])), 'variants[2]', ["an ext2-dax variant, but the scenario's fs is gfs2"]],
  ['DAX with blockSize 8192', dax((s) => (asObject(s).blockSize = 8192)), 'blockSize', ['DAX needs blockSize 4096, not 8192', 'PAGE_SIZE', 'can only do DAX for blocksizes that are equal to PAGE_SIZE']],
  ['gfs2 with blockSize 1024', gfs2((s) => (asObject(s).blockSize = 1024)), 'blockSize', ['must be 4096, not 1024', 'one page = one block is the only geometry modelled']],
  ['blockSize "4096"', gfs2((s) => (asObject(s).blockSize = '4096')), 'blockSize', ['integer', 'the string "4096"']],
  ['two DAX nodes', dax((s) => (asObject(s).nodes = 2)), 'nodes', ['only a gfs2 scenario can have more than one node']],
  ['five nodes', gfs2((s) => (asObject(s).nodes = 5)), 'nodes', ['from 1 to 4, not 5']],
  ['1.5 nodes', gfs2((s) => (asObject(s).nodes = 1.5)), 'nodes', ['an integer', 'the number 1.5']],
  ['negative free blocks', gfs2((s) => (asObject(s).freeBlocks = -1)), 'freeBlocks', ['from 0 to 64']],
  ['no files', gfs2((s) => (asObject(s).files = [])), 'files', ['has 0 entries; 1 to 8 files']],
  ['nine files', gfs2((s) => (asObject(s).files = Array.from({ length: 9 }, (_, i) => ({ name: `F${i}`, pages: ['disk'] })))), 'files', ['has 9 entries']],
  ['a file name starting with a digit', gfs2((s) => (at(s, 'files', 0).name = '1F')), 'files[0].name', ['not a valid file name']],
  ['two files named F1', gfs2((s) => (at(s, 'files', 1).name = 'F1')), 'files[1].name', ['a file named F1 is already defined']],
  ['a file with no pages', gfs2((s) => (at(s, 'files', 1).pages = [])), 'files[1].pages', ['has 0 entries']],
  ['a file of 17 pages', gfs2((s) => (at(s, 'files', 1).pages = Array.from({ length: 17 }, () => 'disk'))), 'files[1].pages', ['has 17 entries; 1 to 16']],
  ['an unknown page state', gfs2((s) => (at(s, 'files', 0).pages = ['disk', 'holey'])), 'files[0].pages[1]', ["'hole', 'disk', 'cached', 'hole-cached'", 'the string "holey"']],
  ['short extents on gfs2', gfs2((s) => (at(s, 'files', 0).shortExtents = [0])), 'files[0].shortExtents', ['only ext2-dax scenarios']],
  ['a short extent past the file', dax((s) => (at(s, 'files', 0).shortExtents = [3])), 'files[0].shortExtents[0]', ['from 0 to 2, not 3']],
  ['a short extent on a hole', dax((s) => (at(s, 'files', 0).shortExtents = [1])), 'files[0].shortExtents[0]', ["page 1 is a hole: only a page with a block ('disk' or 'cached')"]],
  ['a constructor field in a file', gfs2((s) => Object.assign(at(s, 'files', 0), { constructor: 'x' })), 'files[0].constructor', ['unknown field "constructor"']],
  ['a mapping of an unknown file', gfs2((s) => (at(s, 'mappings', 0).file = 'G')), 'mappings[0].file', ['no file named "G" (files: F1, F2)']],
  ['a mapping for process 8', gfs2((s) => (at(s, 'mappings', 0).process = 8)), 'mappings[0].process', ['from 0 to 7, not 8']],
  ['a mapping past the end of the file', gfs2((s) => (at(s, 'mappings', 1).pgoff = 1)), 'mappings[1].pages', ['maps file pages 1–2 of F1, which has 2 pages']],
  ['overlapping mappings in one process', gfs2((s) => asList(asObject(s).mappings).push({ process: 1, file: 'F2', at: 1, pages: 1, shared: false })), 'mappings[2].at', ['user page 1 of process 1 overlap mappings[1] (user pages 0–1)']],
  ['a mapping past user page 255', gfs2((s) => Object.assign(at(s, 'mappings', 1), { at: 255 })), 'mappings[1].pages', ['user pages 255–256 run past the last user page (255)']],
  ['no tasks', gfs2((s) => (asObject(s).tasks = [])), 'tasks', ['has 0 entries; 1 to 8 tasks']],
  ['nine tasks', gfs2((s) => (asObject(s).tasks = Array.from({ length: 9 }, (_, i) => ({ pid: 200 + i, process: 0, program: [{ call: 'touch', vpage: 0, write: false }] })))), 'tasks', ['has 9 entries; 1 to 8 tasks']],
  ['a duplicate pid', gfs2((s) => (at(s, 'tasks', 1).pid = 101)), 'tasks[1].pid', ['duplicate pid 101: tasks[0] has it too']],
  ['pid 0', gfs2((s) => (at(s, 'tasks', 0).pid = 0)), 'tasks[0].pid', ['from 1 to 99999, not 0']],
  ['pid 100000', gfs2((s) => (at(s, 'tasks', 0).pid = 100000)), 'tasks[0].pid', ['not 100000']],
  ['a task on a node that does not exist', gfs2((s) => (at(s, 'tasks', 1).node = 1)), 'tasks[1].node', ['node 1 does not exist', 'one node']],
  ['one process on two nodes', gfs2((s) => {
    asObject(s).nodes = 2;
    asList(asObject(s).tasks).push({ pid: 103, process: 0, node: 1, program: [{ call: 'touch', vpage: 0, write: false }] });
  }), 'tasks[2].node', ['process 0 already runs on node 0', 'must be on one node']],
  ['an empty program', gfs2((s) => (at(s, 'tasks', 0).program = [])), 'tasks[0].program', ['has 0 entries; 1 to 8 syscalls']],
  ['a program of 9 syscalls', gfs2((s) => (at(s, 'tasks', 0).program = Array.from({ length: 9 }, () => ({ call: 'touch', vpage: 0, write: false })))), 'tasks[0].program', ['has 9 entries']],
  ['an unknown call', gfs2((s) => (at(s, 'tasks', 0, 'program', 0).call = 'read')), 'tasks[0].program[0].call', ["'pread', 'pwrite', 'truncate', 'punch', 'mmap', 'touch'", 'the string "read"']],
  ['a field of another call', gfs2((s) => (at(s, 'tasks', 0, 'program', 0).size = 1)), 'tasks[0].program[0].size', ['unknown field "size": a pread call has only call, file, pos, len, buf, direct']],
  ['a read of an unknown file', gfs2((s) => (at(s, 'tasks', 0, 'program', 0).file = 'F3')), 'tasks[0].program[0].file', ['no file named "F3" (files: F1, F2)']],
  ['a read into an unmapped buffer', gfs2((s) => (at(s, 'tasks', 0, 'program', 0).buf = 5)), 'tasks[0].program[0].buf', ['the buffer, user page 5, is not mapped in process 0 (mapped: user pages 0)']],
  ['a read whose buffer runs off the mapping', gfs2((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { len: 2 })), 'tasks[0].program[0].buf', ['user page 1 of the buffer (pages 0–1) is not mapped in process 0']],
  ['a read into a buffer mapped only in another process', gfs2((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { buf: 1 })), 'tasks[0].program[0].buf', ['user page 1']],
  ['a read past EOF', gfs2((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { pos: 1, len: 2 })), 'tasks[0].program[0].len', ['pread of file pages 1–2 runs past the end of F1 (2 pages): reads past EOF are not modelled']],
  ['a read that starts past EOF', gfs2((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { pos: 2 })), 'tasks[0].program[0].pos', ['runs past the end of F1']],
  ['a read of 9 pages', gfs2((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { len: 9 })), 'tasks[0].program[0].len', ['from 1 to 8, not 9']],
  ['a write that extends the file', gfs2((s) => Object.assign(at(s, 'tasks', 1, 'program', 0), { pos: 1 })), 'tasks[1].program[0].pos', ['writes that extend a file are not modelled']],
  ['direct "yes"', gfs2((s) => (at(s, 'tasks', 0, 'program', 0).direct = 'yes')), 'tasks[0].program[0].direct', ['true or false', 'the string "yes"']],
  ['a truncate to 17 pages', dax((s) => (at(s, 'tasks', 1, 'program', 0).size = 17)), 'tasks[1].program[0].size', ['from 0 to 16, not 17']],
  ['a punch past EOF', dax((s) => (at(s, 'tasks', 1).program = [{ call: 'punch', file: 'F', pos: 2, len: 2 }])), 'tasks[1].program[0].len', ['punch of file pages 2–3 runs past the end of F (3 pages)']],
  ['an mmap over a mapping', dax((s) => (at(s, 'tasks', 0).program = [{ call: 'mmap', file: 'F', pgoff: 0, len: 1, at: 2, shared: true }])), 'tasks[0].program[0].at', ['user page 2 of process 0 overlap mappings[0] (user pages 0–2)']],
  ['two threads mmapping one range', dax((s) => {
    at(s, 'tasks', 1).process = 0;
    at(s, 'tasks', 0).program = [{ call: 'mmap', file: 'F', pgoff: 0, len: 1, at: 8, shared: true }];
    at(s, 'tasks', 1).program = [{ call: 'mmap', file: 'F', pgoff: 1, len: 2, at: 7, shared: true }];
  }), 'tasks[1].program[0].at', ['overlap the mmap at tasks[0].program[0]']],
  ['an mmap past the end of the file', dax((s) => (at(s, 'tasks', 0).program = [{ call: 'mmap', file: 'F', pgoff: 2, len: 2, at: 8, shared: true }])), 'tasks[0].program[0].len', ['maps file pages 2–3 of F, which has 3 pages']],
  ['a read into an mmap made later in the program', gfs2((s) => {
    at(s, 'tasks', 0).program = [
      { call: 'pread', file: 'F1', pos: 0, len: 1, buf: 8 },
      { call: 'mmap', file: 'F2', pgoff: 0, len: 1, at: 8, shared: false },
    ];
  }), 'tasks[0].program[0].buf', ['user page 8', 'not mapped in process 0']],
  ['a touch of an unmapped page', dax((s) => (at(s, 'tasks', 0, 'program', 0).vpage = 3)), 'tasks[0].program[0].vpage', ['user page 3 is not mapped in process 0 (mapped: user pages 0–2)']],
  ['a touch in a process that maps nothing', dax((s) => (at(s, 'tasks', 1).program = [{ call: 'touch', vpage: 0, write: false }])), 'tasks[1].program[0].vpage', ['it maps nothing']],
  ['a touch without write', dax((s) => delete at(s, 'tasks', 0, 'program', 0).write), 'tasks[0].program[0].write', ['required', 'true or false']],
  ['a schedule naming an unknown pid', gfs2((s) => (at(s, 'schedules', 0).steps = [101, 999, 102, 999])), 'schedules[0].steps[1]', ['999 is not the pid of any task (pids: 101, 102)']],
  ['a schedule step "101"', gfs2((s) => (at(s, 'schedules', 0).steps = ['101'])), 'schedules[0].steps[0]', ['a pid must be an integer', 'the string "101"']],
  ['a schedule of 10001 steps', gfs2((s) => (at(s, 'schedules', 0).steps = Array.from({ length: 10_001 }, () => 101))), 'schedules[0].steps', ['has 10001 entries; at most 10000']],
  ['two schedules with one name', gfs2((s) => asList(asObject(s).schedules).push(clone(GFS2_BASE.schedules[0]))), 'schedules[1].name', ['another schedule is already named "glocks-first"']],
  ['an expectation for a variant the scenario does not list', gfs2((s) => (at(s, 'schedules', 0, 'expect')['gfs2-5.16'] = { kind: 'completed', summary: '', basis: 'inferred' })), 'schedules[0].expect["gfs2-5.16"]', ["gfs2-5.16 is not one of the scenario's variants (gfs2-5.15, gfs2-5.18)"]],
  ['an expectation for an unknown variant', gfs2((s) => (at(s, 'schedules', 0, 'expect')['linux-6.1'] = { kind: 'completed', summary: '', basis: 'inferred' })), 'schedules[0].expect["linux-6.1"]', ['unknown variant "linux-6.1"']],
  ['an unknown outcome kind', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.15').kind = 'crash')), 'schedules[0].expect["gfs2-5.15"].kind', ["'completed', 'bug', 'deadlock'", 'the string "crash"']],
  ['an unknown basis', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.15').basis = 'guess')), 'schedules[0].expect["gfs2-5.15"].basis', ["'verified', 'inferred'"]],
  ['returns for an unknown pid', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18', 'returns')['103'] = [0])), 'schedules[0].expect["gfs2-5.18"].returns["103"]', ['"103" is not the pid of any task (pids: 101, 102)']],
  ['a fractional return', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18', 'returns')['101'] = [4096.5])), 'schedules[0].expect["gfs2-5.18"].returns["101"][0]', ['integer', 'the number 4096.5']],
  ['more returns than syscalls', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18', 'returns')['101'] = [4096, 0])), 'schedules[0].expect["gfs2-5.18"].returns["101"]', ['2 returns for pid 101, whose program has 1 syscall']],
  ['a user page key without a colon', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18').userPages = { '0-0': 'F1:0' })), 'schedules[0].expect["gfs2-5.18"].userPages["0-0"]', ["not '<process>:<user page>'"]],
  ['a user page of a process that does not exist', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18').userPages = { '5:0': 'F1:0' })), 'schedules[0].expect["gfs2-5.18"].userPages["5:0"]', ['process 5 does not exist']],
  ['a file page of an unknown file', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18').filePages = { 'G:0': '0' })), 'schedules[0].expect["gfs2-5.18"].filePages["G:0"]', ['no file named "G"']],
  ['a file page past the file', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18').filePages = { 'F2:1': '0' })), 'schedules[0].expect["gfs2-5.18"].filePages["F2:1"]', ['F2 never has a page 1']],
  ['an empty content tag', gfs2((s) => (at(s, 'schedules', 0, 'expect', 'gfs2-5.18').filePages = { 'F2:0': '' })), 'schedules[0].expect["gfs2-5.18"].filePages["F2:0"]', ['the content tag must not be empty']],
  ['sources as a string', gfs2((s) => (asObject(s).sources = 'fs/gfs2/file.c')), 'sources', ['must be a list of sources', 'the string']],
  ['a source that is a number', dax((s) => (asObject(s).sources = ['ok', 42])), 'sources[1]', ['a source must be a string, not the number 42']],
];

describe('validateScenario refuses', () => {
  it.each(INVALID)('%s', (_what, input, path, fragments) => {
    const errors = errorsOf(input);
    const first = errors[0];
    expect(first, JSON.stringify(errors)).toBeDefined();
    expect(first?.path, JSON.stringify(errors)).toBe(path);
    for (const fragment of fragments) expect(first?.message).toContain(fragment);
  });

  it('reports a problem only once where it is, not again where the file is used', () => {
    const errors = errorsOf(gfs2((s) => (at(s, 'files', 0).pages = ['disk', 'weird'])));
    expect(errors.map((e) => e.path)).toEqual(['files[0].pages[1]']);
  });

  it('names a schedule’s unknown pid once, however often the schedule names it', () => {
    const errors = errorsOf(gfs2((s) => (at(s, 'schedules', 0).steps = Array.from({ length: 500 }, () => 999))));
    expect(errors).toHaveLength(1);
  });

  it('refuses __proto__ as an unknown field and pollutes nothing', () => {
    const result = parseScenarioJson('{"__proto__": {"polluted": true}, "id": "x"}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toEqual({ path: '__proto__', message: expect.stringContaining('unknown field "__proto__"') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = JSON.stringify(gfs2()).replace('"name":"F1"', '"name":"F1","__proto__":{"pages":["disk"]}');
    expect(errorsOf(JSON.parse(nested))[0]?.path).toBe('files[0].__proto__');
  });

  it('names every unknown field of an object, not only the first', () => {
    const errors = errorsOf(gfs2((s) => Object.assign(at(s, 'files', 0), { size: 2, mode: 'rw' })));
    expect(errors.map((e) => e.path)).toEqual(['files[0].size', 'files[0].mode']);
    expect(errors[1]?.message).toBe('unknown field "mode": a file has only name, pages, shortExtents');
  });

  it('reports every problem at once, in the order they come in the input, a missing field after what its object holds', () => {
    const errors = errorsOf(
      gfs2((s) => {
        at(s, 'files', 0).pages = ['disk', 'weird'];
        at(s, 'mappings', 0).file = 'G';
        delete at(s, 'tasks', 1).process;
        at(s, 'tasks', 1, 'program', 0).len = 9;
        asObject(s).title = '';
      }),
    );
    expect(errors.map((e) => e.path)).toEqual(['title', 'files[0].pages[1]', 'mappings[0].file', 'tasks[1].program[0].len', 'tasks[1].process']);
    expect(errors.map((e) => e.message)).toEqual([
      'the title must not be empty',
      "a page state must be one of 'hole', 'disk', 'cached', 'hole-cached', not the string \"weird\"",
      'no file named "G" (files: F1, F2)',
      'the length in pages must be from 1 to 8, not 9',
      'required: the process, an integer from 0 to 7',
    ]);
  });

  it('reads a field that is present but undefined as missing', () => {
    expect(errorsOf(dax((s) => Object.assign(at(s, 'tasks', 0, 'program', 0), { write: undefined })))).toEqual([{ path: 'tasks[0].program[0].write', message: 'required: write (a store, not a load), true or false' }]);
  });

  it('refuses lock entries nested more than 4 deep, at the entry too deep', () => {
    const nest = (depth: number): Json => ({ call: 'lock', lock: { kind: 'mmap_lock' }, write: false, body: depth === 0 ? [] : [nest(depth - 1)] });
    const ok = dax((s) => (at(s, 'tasks', 0).program = [nest(3)]));
    expect(errorsOf(ok)).toEqual([]);
    const deep = dax((s) => (at(s, 'tasks', 0).program = [nest(4)]));
    expect(errorsOf(deep)).toEqual([{ path: 'tasks[0].program[0].body[0].body[0].body[0].body[0]', message: 'lock entries nest at most 4 deep' }]);
  });

  it('clips long values in messages and paths', () => {
    const long = 'k'.repeat(10_000);
    const errors = errorsOf(gfs2((s) => (asObject(s)[long] = long)));
    expect(errors[0]?.path.length).toBeLessThan(60);
    expect(errors[0]?.message.length).toBeLessThan(400);
  });

  it('does not modify its input', () => {
    const freeze = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      Object.freeze(value);
      for (const child of Object.values(value)) freeze(child);
    };
    const input = gfs2((s) => (at(s, 'files', 0).pages = ['disk', 'weird']));
    freeze(input);
    expect(() => validateScenario(input)).not.toThrow();
    const valid = gfs2();
    freeze(valid);
    expect(validateScenario(valid).ok).toBe(true);
  });

  it('reports a getter that throws instead of throwing', () => {
    const input = { ...GFS2_BASE };
    Object.defineProperty(input, 'files', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(errorsOf(input)[0]).toEqual({ path: '', message: expect.stringContaining('boom') });
  });
});

describe('parseScenarioJson', () => {
  it('reports a syntax error with its position, line and column', () => {
    const result = parseScenarioJson('{\n  "id": "x",\n  "title": ,\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ path: '', message: 'not valid JSON at position 26 (line 3, column 12): unexpected ",": expected a value' }]);
  });

  it.each([
    ['', 'unexpected end of text'],
    ['{"a": 1,}', 'expected a double-quoted property name'],
    ['{"a" 1}', "expected ':'"],
    ['[1, 2', 'unexpected end of text'],
    ['{} x', 'unexpected text after the end'],
    ['"abc', 'unterminated string'],
    ["{'a': 1}", 'expected a double-quoted property name'],
    ['{"a": tru}', 'expected a value'],
    ['[01]', "expected ',' or ']'"],
  ])('reports %j as not valid JSON: %s', (text, fragment) => {
    const result = parseScenarioJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]?.message).toMatch(/^not valid JSON at position \d+ \(line \d+, column \d+\): /);
      expect(result.errors[0]?.message).toContain(fragment);
    }
  });

  it('refuses text over 64 KiB without parsing it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const result = parseScenarioJson(`"${'x'.repeat(MAX_SCENARIO_JSON_BYTES)}"`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]?.message).toContain('64 KiB');
      // Fewer characters than the limit, but more UTF-8 bytes.
      expect(parseScenarioJson(`"${'ü'.repeat(40_000)}"`).ok).toBe(false);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    const fits = parseScenarioJson(`"${'ü'.repeat(30_000)}"`);
    expect(fits.ok ? [] : fits.errors[0]?.message).toContain('must be an object');
  });

  it('accepts a byte-order mark before the JSON', () => {
    expect(parseScenarioJson(`\uFEFF${JSON.stringify(GFS2_BASE)}`).ok).toBe(true);
  });
});

/** Every path to a node of a JSON tree, root first. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

const DELETE = Symbol('delete');

/** The tree with the node at `path` deleted or replaced; the root is replaced only by a value. */
function mutated(root: Json, path: readonly (string | number)[], change: Json | typeof DELETE): Json {
  if (path.length === 0) return change === DELETE ? null : change;
  const copy = clone(root);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  let parent: Json | undefined = copy;
  for (const k of parentPath) parent = typeof k === 'number' ? asList(parent)[k] : asObject(parent)[k];
  if (Array.isArray(parent) && typeof key === 'number') {
    if (change === DELETE) parent.splice(key, 1);
    else parent[key] = change;
  } else if (typeof key === 'string') {
    const obj = asObject(parent);
    if (change === DELETE) Reflect.deleteProperty(obj, key);
    else obj[key] = change;
  }
  return copy;
}

/** Values near the edges of what the format allows, more likely than random ones to slip through. */
const edgy = fc.constantFrom<Json>(-1, 0, 1, 2, 3, 7, 8, 15, 16, 17, 255, 256, 4096, 8192, 1.5, 1e300, 101, 102, 103, '', 'F', 'F1', 'F2', 'G', 'gfs2', 'ext2-dax', 'gfs2-5.15', 'dax-2015', '__proto__', 'hole', 'cached', 'hole-cached', true, false, null, [], {}, [101], { '101': [0] });

const change = fc.oneof(fc.constant<typeof DELETE>(DELETE), edgy, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>);

const presetTrees = [...PRESETS.map((p) => clone(p)), gfs2(), dax()];

/** A preset (or a small scenario) with one to three fields deleted or replaced. */
const mutatedPreset = fc.tuple(fc.constantFrom(...presetTrees), fc.array(fc.tuple(fc.nat(), change), { minLength: 1, maxLength: 3 })).map(([tree, changes]) => {
  let value = tree;
  for (const [n, c] of changes) {
    const all = paths(value);
    value = mutated(value, all[n % all.length] ?? [], c);
  }
  return value;
});

describe('validateScenario never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateScenario(value);
        expect(result.ok || result.errors.length > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary JavaScript values', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, withUnicodeString: true }),
        (value) => {
          const result = validateScenario(value);
          expect(result.ok || result.errors.length > 0).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary scenario-shaped objects', () => {
    const keys = ['format', 'id', 'title', 'story', 'fs', 'variants', 'nodes', 'blockSize', 'freeBlocks', 'files', 'mappings', 'tasks', 'schedules', 'sources', '__proto__', 'constructor'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), fc.oneof(edgy, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>)), (value) => {
        expect(() => validateScenario(value)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('on mutated presets, every error is at a place in the input, or names a field missing from an object there', () => {
    const records = new Set(['expect', 'returns', 'userPages', 'filePages']);
    /** Each node's path as the validator writes it (keys up to 40 characters, which it does not clip). */
    const written = (value: Json): Set<string> => {
      const out = new Set<string>();
      const visit = (node: Json, path: string, inRecord: boolean): void => {
        out.add(path);
        if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${path}[${i}]`, false));
        else if (typeof node === 'object' && node !== null) {
          for (const [key, item] of Object.entries(node)) {
            const named = !inRecord && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && key.length <= 40;
            visit(item, named ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`, !inRecord && records.has(key));
          }
        }
      };
      visit(value, '', false);
      return out;
    };
    fc.assert(
      fc.property(mutatedPreset, (value) => {
        const result = validateScenario(value);
        if (result.ok) return;
        const places = written(value);
        for (const error of result.errors) {
          if (places.has(error.path)) continue;
          const parent = /^(.*?)(?:\.?[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(error.path)?.[1];
          expect(parent !== undefined && places.has(parent), `${error.path}: ${error.message}`).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('on arbitrary text, and on JSON text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const result = parseScenarioJson(text);
        expect(result.ok || result.errors.length > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('on presets with fields deleted or replaced; what it accepts, the engine builds and runs', () => {
    fc.assert(
      fc.property(mutatedPreset, (value) => {
        const result = validateScenario(value);
        expect(parseScenarioJson(JSON.stringify(value)).ok).toBe(result.ok);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          return;
        }
        const { scenario } = result;
        const variant = scenario.variants[0];
        if (variant === undefined) throw new Error('a valid scenario has a variant');
        const run = replay(buildSetup(scenario), variant, scenario.schedules[0]?.steps ?? [], { finish: true });
        expect(run.outcome ?? run.refused).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('jsonSyntaxError', () => {
  it('finds an error exactly when JSON.parse does', () => {
    const near = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '[', '{', '0', '-', '.', 'e', 'x', ' ', '\\', '\n', '\u0001')).map(([text, n, insert]) => {
      const at = text.length === 0 ? 0 : n % (text.length + 1);
      return n % 2 === 0 ? text.slice(0, at) + insert + text.slice(at) : text.slice(0, at) + insert + text.slice(at + 1);
    });
    fc.assert(
      fc.property(fc.oneof(near, fc.json(), fc.string()), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(jsonSyntaxError(text) === null).toBe(parses);
      }),
      { numRuns: 5000 },
    );
  });

  it('copes with deep nesting without overflowing the stack: past 1000 levels it says so, where', () => {
    expect(jsonSyntaxError(`${'['.repeat(1000)}1${']'.repeat(1000)}`)).toBeNull();
    expect(jsonSyntaxError(`${'['.repeat(1000)}1`)).toEqual({ position: 1001, problem: 'unexpected end of text' });
    expect(jsonSyntaxError(`${'['.repeat(60_000)}1`)).toEqual({ position: 1000, problem: 'nested more than 1000 levels deep' });
    const deep = parseScenarioJson(`{"files": ${'['.repeat(30_000)}1`);
    expect(deep.ok ? [] : deep.errors).toEqual([{ path: '', message: 'not valid JSON at position 1009 (line 1, column 1010): nested more than 1000 levels deep' }]);
    // Deep but valid JSON is JSON.parse's to read; the validator then names what it is.
    const valid = parseScenarioJson(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect(valid.ok ? [] : valid.errors).toEqual([{ path: '', message: 'a scenario must be an object, not an array' }]);
  });

  it('names the problem inside a string, a number or a comment', () => {
    expect(jsonSyntaxError('{"a": "x\u0001"}')?.problem).toBe('a control character inside a string');
    expect(jsonSyntaxError(String.raw`{"a": "\q"}`)?.problem).toBe('a bad escape in a string');
    expect(jsonSyntaxError(String.raw`{"a": "\u12"}`)?.problem).toBe(String.raw`a bad \u escape`);
    expect(jsonSyntaxError('{"a": 1.}')?.problem).toMatch(/^a number cut short/);
    expect(jsonSyntaxError('{"a": 1 /* one */}')?.problem).toBe('a comment: JSON has none');
  });
});

it('knows every variant the kernel layer defines', () => {
  for (const v of VARIANTS) {
    const base = v.flags.fs === 'gfs2' ? gfs2() : dax((s) => (asObject(s).fs = v.flags.fs));
    Object.assign(asObject(base), { variants: [v.id], schedules: [] });
    expect(errorsOf(base), v.id).toEqual([]);
  }
});
