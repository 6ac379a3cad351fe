import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTimelineSvg } from '../export/timeline/svg.ts';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset } from '../scenarios/index.ts';
import { replay } from '../sim/replay.ts';
import { EXIT_USAGE, runCli } from './run.ts';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { version: '9.9.9' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cli', () => {
  it('prints usage for --help and for no command', () => {
    for (const argv of [['--help'], ['-h'], []]) {
      const r = run(argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: npm run -s cli -- <command>');
    }
  });

  it('prints the version', () => {
    expect(run(['--version'])).toEqual({ code: 0, out: '9.9.9', err: '' });
  });

  it('refuses an unknown command with one line and exit 2', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});

describe('cli replay', () => {
  it('replays gfs2-read-self under gfs2-5.15 to the recursive-glock BUG, with the holder log', () => {
    const r = run(['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('gfs2_glock_nq(SH) on glock 2/F → trap_recursive → BUG()');
    expect(r.out).toContain('gfs2: original: gfs2_file_read_iter');
    expect(r.out).toContain('gfs2: new: gfs2_fault');
  });

  it('prints JSON with the steps, the outcome and each task’s returns', () => {
    const r = run(['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.18', '--json']);
    const parsed = JSON.parse(r.out) as { scenario: string; variant: string; steps: { task: number; label: string; machine: string; state: string; event: string; marks: string[] }[]; outcome: { kind: string }; returns: Record<string, number[]> };
    expect(parsed.scenario).toBe('gfs2-read-self');
    expect(parsed.outcome.kind).toBe('completed');
    expect(parsed.returns).toEqual({ '101': [4096] });
    // One -EFAULT retry: the read takes the glock twice and drops it twice.
    const read = parsed.steps.filter((s) => s.machine === 'gfs2_file_read_iter (5.18)');
    expect(read.filter((s) => s.marks.includes('glock-granted'))).toHaveLength(2);
    expect(read.filter((s) => s.marks.includes('glock-dq'))).toHaveLength(2);
    expect(read.filter((s) => s.marks.includes('efault-retry'))).toHaveLength(1);
    expect(read.find((s) => s.marks.includes('efault-retry'))).toMatchObject({ state: 'read_returned', event: 'read.faultin' });
  });

  it('says livelock for xfstests generic/729 under gfs2-5.18, where round-robin goes round the invalidate / fault-in loop, and 4096 under 6.4', () => {
    const stuck = run(['replay', '--scenario', 'xfstests-729', '--variant', 'gfs2-5.18']);
    expect(stuck.code).toBe(0);
    expect(stuck.out).toMatch(/\noutcome: livelock: round-robin scheduling brings the run back to the state after step \d+ every \d+ steps; the tasks still running never return\n/);
    expect(stuck.out).toContain('pid 101 returned: (nothing: did not finish)');
    const fixed = run(['replay', '--scenario', 'xfstests-729', '--variant', 'gfs2-6.4']);
    expect(fixed.out).toContain('outcome: completed');
    expect(fixed.out).toContain('faulted in 1 page(s), but enough_retries → ret = 0: fall back to buffered I/O');
    expect(fixed.out).toContain('pid 101 returned: 4096');
  });

  it('continues round-robin after an explicit schedule: gfs2-abba-dio deadlocks under gfs2-5.15', () => {
    const r = run(['replay', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--schedule', '101,101,101,102,102,102']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  });

  it.each([
    [['replay', '--scenario', 'nope', '--variant', 'gfs2-5.15'], "unknown scenario 'nope'"],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-9.9'], "unknown variant 'gfs2-9.9'"],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'gfs2-5.15'], 'does not apply to variant gfs2-5.15'],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'dax-2015', '--schedule', '101,x'], "entry 2 ('x') is not a pid"],
    [['replay', '--scenario', 'dax-truncate', '--variant', 'dax-2015', '--schedule', '101,999'], 'no task with pid 999'],
    [['replay', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--schedule', `102,102,102,${Array(12).fill('101').join(',')}`], 'step 15: pid 101 is blocked: waiting for glock 2/F2 in SH: held DF by pid 102'],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15', '--schedule', Array(16).fill('101').join(',')], 'the run has ended (bug)'],
    [['replay', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j with exit 2 and one line', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
  });
});

describe('cli replay --scenario-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The example of docs/scenario-format.md, so the CLI runs what the document shows. */
  const docExample = (/^```json\n([\s\S]*?)^```$/m.exec(readFileSync(new URL('../../docs/scenario-format.md', import.meta.url), 'utf8'))?.[1]) ?? '';

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  function custom(edit: (s: Record<string, unknown>) => void = () => undefined): string {
    const scenario = JSON.parse(docExample) as Record<string, unknown>;
    edit(scenario);
    return JSON.stringify(scenario, null, 2);
  }

  it('runs a custom scenario to its deadlock under gfs2-5.15, with the scenario’s own schedule', () => {
    const r = run(['replay', '--scenario-file', file('example.json', docExample), '--variant', 'gfs2-5.15']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dio-read-vs-buffered-write under gfs2-5.15');
    expect(r.out).toContain('deadlock: pid 101 waits for glock 2/F2 held by pid 102; pid 102 waits for glock 2/F1 held by pid 101');
  });

  it('prints JSON for a custom scenario, with an explicit schedule', () => {
    const r = run(['replay', '--scenario-file', file('example.json', docExample), '--variant', 'gfs2-5.18', '--schedule', '102,102,101', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as { scenario: string; outcome: { kind: string }; returns: Record<string, number[]> };
    expect(parsed.scenario).toBe('dio-read-vs-buffered-write');
    expect(parsed.outcome.kind).toBe('completed');
    expect(parsed.returns).toEqual({ '101': [4096], '102': [4096] });
  });

  it('names the first problem of an invalid scenario, and how many more there are', () => {
    const path = file(
      'scenario.json',
      custom((s) => {
        Object.assign(s, { fs: 'ext2-dax', variants: ['dax-2015'], nodes: 1, blockSize: 8192, schedules: [] });
        // Two more problems after blockSize: a read of an unknown file, and a source that is not a string.
        const tasks = s.tasks as { program: { file?: string }[] }[];
        const read = tasks[0]?.program[0];
        if (read !== undefined) read.file = 'NOPE';
        s.sources = [42];
      }),
    );
    const r = run(['replay', '--scenario-file', path, '--variant', 'dax-2015']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toBe(`faultline replay: ${path}: blockSize: DAX needs blockSize 4096, not 8192: the kernel "can only do DAX for blocksizes that are equal to PAGE_SIZE" (4096 bytes) (and 2 more problems)`);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), 'missing.json: cannot read it: no such file'],
    ['a directory', () => dir, 'cannot read it: it is a directory'],
    ['a JSON syntax error', () => file('broken.json', '{\n  "id": "x",\n}'), 'broken.json: not valid JSON at position 15 (line 3, column 1): expected a double-quoted property name'],
    ['an oversized file', () => file('big.json', `"${'x'.repeat(70_000)}"`), 'big.json: the file is 70002 bytes; a scenario may be at most 65536 (64 KiB)'],
    ['a variant of the wrong fs', () => file('fs.json', custom((s) => (s.variants = ['gfs2-5.15', 'dax-2015']))), "fs.json: variants[1]: dax-2015 is an ext2-dax variant, but the scenario's fs is gfs2"],
    ['an unmapped buffer', () => file('buf.json', custom((s) => ((s.tasks as { program: { buf?: number }[] }[])[0]?.program[0] ?? {}).buf = 3)), 'buf.json: tasks[0].program[0].buf: the buffer, user page 3, is not mapped in process 0'],
  ])('refuses %s with exit 2 and one line', (_what, path, message) => {
    const r = run(['replay', '--scenario-file', path(), '--variant', 'gfs2-5.15']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
  });

  it.each([
    [['replay', '--variant', 'gfs2-5.15'], '--scenario <id> (see `list`) or --scenario-file <path.json> is required'],
    [['replay', '--scenario', 'gfs2-read-self', '--scenario-file', 'x.json', '--variant', 'gfs2-5.15'], 'give --scenario <id> or --scenario-file <path>, not both'],
    [['replay', '--scenario-file'], "Option '--scenario-file <value>' argument missing"],
  ])('refuses %j with exit 2 and one line', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
  });

  it('checks the variant and the schedule against the custom scenario', () => {
    const path = file('example.json', docExample);
    expect(run(['replay', '--scenario-file', path, '--variant', 'gfs2-5.16']).err).toContain('scenario dio-read-vs-buffered-write does not apply to variant gfs2-5.16 (it applies to gfs2-5.15, gfs2-5.18)');
    expect(run(['replay', '--scenario-file', path, '--variant', 'gfs2-5.15', '--schedule', '101,103']).err).toContain('no task with pid 103');
    expect(run(['replay', '--scenario-file', path]).err).toContain('--variant <id> is required (dio-read-vs-buffered-write runs under gfs2-5.15, gfs2-5.18)');
  });

  it('documents --scenario-file in the help', () => {
    expect(run(['--help']).out).toContain('--scenario-file <path.json>');
  });
});

describe('cli explore', () => {
  it('prints the JSON the issue names: states, transitions, terminal, complete, outcomes with the shortest schedule', () => {
    const r = run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as { scenario: string; variant: string; states: number; transitions: number; terminal: number; complete: boolean; outcomes: Record<string, { count: number; shortest: { schedule: number[]; length: number; switches: number } }>; elapsedMs: number };
    expect(Object.keys(parsed)).toEqual(['scenario', 'variant', 'states', 'transitions', 'terminal', 'complete', 'outcomes', 'elapsedMs', 'reduction', 'symmetry']);
    expect(parsed.complete).toBe(true);
    expect(parsed.outcomes['deadlock']?.shortest.length).toBe(22);
    expect(parsed.outcomes['bug']).toBeUndefined();
  });

  it('explores gfs2-dio-ring with --tasks, and says when no deadlock is reachable', () => {
    const r = run(['explore', '--scenario', 'gfs2-dio-ring', '--tasks', '2', '--variant', 'gfs2-5.18']);
    expect(r.out).toMatch(/^gfs2-dio-ring under gfs2-5\.18: no deadlock, BUG or use-after-free is reachable: all [\d,]+ states \(partial-order and symmetry reduced, group of order 2\) explored/);
  });

  it('explores every interleaving with --reduction none, and finds the same deadlock at the same length', () => {
    const full = JSON.parse(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--reduction', 'none', '--json']).out) as { states: number; reduction: string; outcomes: Record<string, { shortest: { length: number } }> };
    const reduced = JSON.parse(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--json']).out) as typeof full;
    expect(full.reduction).toBe('none');
    expect(reduced.reduction).toBe('footprint');
    expect(reduced.states).toBeLessThan(full.states);
    expect(Object.keys(reduced.outcomes).sort()).toEqual(Object.keys(full.outcomes).sort());
    expect(reduced.outcomes['deadlock']?.shortest.length).toBe(full.outcomes['deadlock']?.shortest.length);
  });

  it('explores one state per mirrored pair of gfs2-abba-dio with symmetry on (the default), every state with --symmetry off, and the same deadlock either way', () => {
    const off = JSON.parse(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--symmetry', 'off', '--json']).out) as { states: number; symmetry: number; outcomes: Record<string, { shortest: { length: number; switches: number } }> };
    const on = JSON.parse(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--json']).out) as typeof off;
    expect(off.symmetry).toBe(1);
    expect(on.symmetry).toBe(2);
    expect(on.states).toBeLessThan(off.states);
    expect(Object.keys(on.outcomes).sort()).toEqual(Object.keys(off.outcomes).sort());
    expect(on.outcomes['deadlock']?.shortest).toMatchObject({ length: 22, switches: 2 });
    expect(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--symmetry', 'off']).out).toMatch(/^gfs2-abba-dio under gfs2-5\.15: explored all 432 states \(partial-order reduced\); reachable: deadlock/);
    expect(run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15']).out).toMatch(/^gfs2-abba-dio under gfs2-5\.15: explored all 220 states \(partial-order and symmetry reduced, group of order 2\); reachable: deadlock/);
  });

  it('reports the livelock of xfstests generic/729 under gfs2-5.18, with a schedule once round the loop', () => {
    const r = run(['explore', '--scenario', 'xfstests-729', '--variant', 'gfs2-5.18']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^xfstests-729 under gfs2-5\.18: explored all [\d,]+ states \(partial-order reduced\); reachable: livelock\n/);
    expect(r.out).toMatch(/^ {2}livelock +\d+ state\(s\); shortest: \d+ steps, 0 switches: --schedule 101(,101)+$/m);
    expect(r.out).not.toMatch(/completed|state limit/);
  });

  it('bounds preemptions with --max-preemptions: no deadlock in gfs2-abba-dio without preempting a task', () => {
    const r = run(['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--max-preemptions', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gfs2-abba-dio under gfs2-5\.15: no deadlock, BUG or use-after-free is reachable with at most 0 preemptions/);
  });

  it('reports a limit as a result', () => {
    const r = run(['explore', '--scenario', 'gfs2-dio-ring', '--tasks', '3', '--variant', 'gfs2-5.18', '--max-states', '100']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('explored 100 states, state limit reached; no deadlock, BUG or use-after-free found so far');
  });

  it.each([
    [['explore', '--scenario', 'gfs2-dio-ring', '--tasks', '9', '--variant', 'gfs2-5.15'], '--tasks: expected a whole number from 2 to 8'],
    [['explore', '--scenario', 'gfs2-abba-dio', '--tasks', '3', '--variant', 'gfs2-5.15'], '--tasks applies only to --scenario gfs2-dio-ring'],
    [['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--max-states', '0'], '--max-states: expected a positive whole number'],
    [['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--reduction', 'sleep'], "--reduction: expected footprint, local or none, not 'sleep'"],
    [['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--symmetry', 'yes'], "--symmetry: expected on or off, not 'yes'"],
    [['explore', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--max-preemptions', 'two'], "--max-preemptions: expected a whole number, 0 or more, not 'two'"],
  ])('refuses %j with exit 2', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain(message);
  });
});

describe('cli lockdep', () => {
  it('prints the circular-dependency report for the i_mutex-taking fault handler, across every interleaving, and exits 1', () => {
    const r = run(['lockdep', '--scenario', 'imutex-mmapsem', '--variant', 'dax-imutex-fault']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^lockdep: imutex-mmapsem under dax-imutex-fault, across all [\d,]+ reachable states/);
    // A 2015 variant: v4.0's lockdep printed "[ INFO: … ]" headers ("WARNING:" came in 4.14).
    expect(r.out).toContain('[ INFO: possible circular locking dependency detected ]');
    expect(r.out).toContain('[ INFO: possible recursive locking detected ]');
  });

  it('along the schedule that completes, still warns', () => {
    const r = run(['lockdep', '--scenario', 'imutex-mmapsem', '--variant', 'dax-imutex-fault', '--named', 'no-deadlock-lockdep-warns']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ending in completed');
    expect(r.out).toContain('-> #0 (&mm->mmap_sem){++++++}:\n       __might_fault');
  });

  it('says "no circular dependency" for the real DAX handler and for gfs2 5.18', () => {
    for (const [scenario, variant] of [
      ['imutex-mmapsem', 'dax-2015'],
      ['gfs2-abba-dio', 'gfs2-5.18'],
    ] as const) {
      const r = run(['lockdep', '--scenario', scenario, '--variant', variant]);
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[1]).toMatch(/^no circular dependency \(\d+ lock classes, \d+ dependencies\)$/);
    }
  });

  it('--json gives the edges and the cycles', () => {
    const r = run(['lockdep', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--json']);
    const json = JSON.parse(r.out) as { edges: { from: string; to: string; via: string; schedule: number[] }[]; cycles: { classes: string[] }[] };
    expect(json.edges).toContainEqual(expect.objectContaining({ from: 'glock 2/F1', to: 'glock 2/F2' }));
    expect(json.edges.every((e) => Array.isArray(e.schedule))).toBe(true);
    expect(json.cycles.map((c) => [...c.classes].sort())).toContainEqual(['glock 2/F1', 'glock 2/F2']);
  });

  it('refuses an unknown named schedule and a bad schedule with one line and exit 2', () => {
    const named = run(['lockdep', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--named', 'nope']);
    expect(named.code).toBe(EXIT_USAGE);
    expect(named.err).toMatch(/^faultline lockdep: --named: gfs2-abba-dio has no schedule 'nope'/);
    const bad = run(['lockdep', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--schedule', '101,x']);
    expect(bad.code).toBe(EXIT_USAGE);
    expect(bad.err.split('\n')).toHaveLength(1);
  });
});

describe('cli export', () => {
  it('--format scenario prints the scenario file, which reads back as the preset', () => {
    const r = run(['export', '--format', 'scenario', '--scenario', 'gfs2-dio-ring', '--tasks', '3', '--variant', 'gfs2-5.15']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 1, id: 'gfs2-dio-ring', tasks: [{ pid: 101 }, { pid: 102 }, { pid: 103 }] });
  });

  it('--format trace prints Chrome Trace Event JSON of the documented interleaving: the abba deadlock under 5.15', () => {
    const r = run(['export', '--format', 'trace', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15']);
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.out) as { traceEvents: { ph: string; name: string }[] };
    expect(trace.traceEvents.filter((e) => e.ph === 'i' && /deadlock/i.test(e.name))).toHaveLength(2);
  });

  it('--format svg prints the timeline the page exports, without a cursor: gfs2-read-self under 5.18 with its retry path, the same document as the page\'s', () => {
    const r = run(['export', '--format', 'svg', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.18']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" version="1.1"/);
    expect(r.out).toContain('<title>gfs2-read-self under gfs2-5.18</title>');
    expect(r.out).toContain('class="retry-path"');
    expect(r.out).not.toContain('id="cursor"');
    const scenario = findPreset('gfs2-read-self');
    if (scenario === undefined) throw new Error('no gfs2-read-self');
    const schedule = scenario.schedules.find((s) => s.expect['gfs2-5.18'] !== undefined)?.steps ?? [];
    const replayed = replay(buildSetup(scenario), 'gfs2-5.18', schedule, { finish: true });
    expect(`${r.out}\n`).toBe(runTimelineSvg({ scenario, variant: 'gfs2-5.18', trace: replayed.trace, states: replayed.states }));
    const deadlock = run(['export', '--format', 'svg', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15']);
    // Both tasks of the cycle get the marker (the legend has one more, without a fill of its own).
    expect(deadlock.out.match(/<g class="marker deadlock" fill="/g)).toHaveLength(2);
  });

  it('--format promela prints a model with one process per task', () => {
    const r = run(['export', '--format', 'promela', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.18']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('proctype');
  });

  it.each([
    [['export', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15'], '--format must be one of scenario, trace, promela, svg'],
    [['export', '--format', 'pdf', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15'], "not 'pdf'"],
    [['export', '--format', 'trace', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--named', 'nope'], "has no schedule 'nope'"],
    [['export', '--format', 'trace', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15', '--tasks', '3'], '--tasks applies only to --scenario gfs2-dio-ring'],
  ])('refuses %j with one line and exit 2', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain(message);
  });
});
