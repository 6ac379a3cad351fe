// The Promela export, checked against Spin for real: for each scenario and
// variant, Spin's verdict on the exported model (invalid end state /
// assertion violation / none) must be the explorer's (deadlock / BUG /
// neither). Spin and a C compiler must be installed; the suite fails, not
// skips, without them.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { findVariant, type VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { findPreset, PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';
import { explore, type Reduction } from '../sim/explore/explore.ts';
import { promelaOf } from './promela.ts';
import { EXTRA_SCENARIOS as CUSTOM } from '../scenarios/extra.ts';

const run = promisify(execFile);

interface Verdict {
  readonly deadlock: boolean;
  readonly bug: boolean;
}

interface SpinRun extends Verdict {
  /** States stored by the search that decided the verdict (the largest of the runs). */
  readonly stored: number;
  readonly ms: number;
}

function words(v: Verdict): string {
  if (v.deadlock && v.bug) return 'deadlock and BUG';
  return v.deadlock ? 'deadlock' : v.bug ? 'BUG' : 'neither';
}

function preset(id: string): Scenario {
  const scenario = findPreset(id);
  if (scenario === undefined) throw new Error(`no preset ${id}`);
  return scenario;
}

/** The explorer's verdict: is a deadlock reachable, is a BUG reachable. */
function explorerVerdict(scenario: Scenario, variant: VariantId, reduction: Reduction = 'local'): Verdict {
  const result = explore(buildSetup(scenario), variant, { reduction, maxStates: 2_000_000 });
  if (!result.complete) throw new Error(`the explorer did not finish ${scenario.id} under ${variant}`);
  return { deadlock: result.outcomes.deadlock !== undefined, bug: result.outcomes.bug !== undefined };
}

/** ./pan with `flags`: its output, whatever its exit status. */
async function pan(dir: string, flags: readonly string[]): Promise<string> {
  try {
    return (await run('./pan', ['-m1000000', '-w20', ...flags], { cwd: dir, maxBuffer: 1 << 24 })).stdout;
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (typeof out === 'string' && out.length > 0) return out;
    throw error;
  }
}

/** Check that pan searched everything it should have, and read what it found. */
function readPan(out: string): { errors: number; stored: number; deadlock: boolean; bug: boolean } {
  expect(out, 'pan must not run out of search depth (raise -m)').not.toMatch(/max search depth too small/);
  const errors = /errors: (\d+)/.exec(out);
  const stored = /(\d+) states, stored/.exec(out);
  if (errors === null || stored === null) throw new Error(`unexpected pan output:\n${out}`);
  const other = /pan:\d+: assertion violated (.*)/.exec(out);
  if (other !== null && !/trap_recursive/.test(other[1] ?? '')) throw new Error(`the model broke its own assertion ${other[1] ?? ''}:\n${out}`);
  return { errors: Number(errors[1]), stored: Number(stored[1]), deadlock: /pan:\d+: invalid end state/.test(out), bug: /pan:\d+: assertion violated/.test(out) };
}

/**
 * Spin's verdict on the model: one full search first; if it finds an error,
 * one search for deadlocks only (-A: assertions off) and one for BUGs only
 * (-E: invalid end states off), since pan stops at the first error.
 */
async function spinVerdict(model: string): Promise<SpinRun> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-promela-'));
  try {
    writeFileSync(join(dir, 'model.pml'), model);
    await run('spin', ['-a', 'model.pml'], { cwd: dir });
    // -fno-dse: gcc's dead-store pass is most of -O1's time on pan.c, and buys nothing here.
    await run('cc', ['-O1', '-fno-dse', '-DSAFETY', '-w', '-o', 'pan', 'pan.c'], { cwd: dir });
    const both = readPan(await pan(dir, []));
    if (both.errors === 0) return { deadlock: false, bug: false, stored: both.stored, ms: Date.now() - started };
    const deadlocks = readPan(await pan(dir, ['-A']));
    const bugs = readPan(await pan(dir, ['-E']));
    return { deadlock: deadlocks.deadlock, bug: bugs.bug, stored: Math.max(deadlocks.stored, bugs.stored), ms: Date.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function exported(scenario: Scenario, variant: VariantId): string {
  const result = promelaOf(scenario, variant);
  if (!result.ok) throw new Error(result.message);
  return result.model;
}

/** Compare, and say both verdicts and the size of Spin's search when they differ. */
async function crossCheck(scenario: Scenario, variant: VariantId, reduction: Reduction = 'local'): Promise<{ explorer: Verdict; spin: SpinRun }> {
  const explorer = explorerVerdict(scenario, variant, reduction);
  const spin = await spinVerdict(exported(scenario, variant));
  expect(words(spin), `${scenario.id} (${scenario.tasks.length} tasks) under ${variant}: explorer ${words(explorer)}, Spin ${words(spin)} (${spin.stored} states, ${spin.ms} ms)`).toBe(words(explorer));
  return { explorer, spin };
}

const TOOLS_MISSING = "The Promela cross-check runs Spin and a C compiler: install Debian's `spin` and `gcc` packages (sudo apt-get install spin gcc).";

beforeAll(() => {
  for (const [tool, args] of [
    ['spin', ['-V']],
    ['cc', ['--version']],
  ] as const) {
    try {
      execFileSync(tool, args, { stdio: 'pipe' });
    } catch {
      throw new Error(`${tool} not found. ${TOOLS_MISSING}`);
    }
  }
});

// A guard against a hung Spin, not a speed target: the cases run five at a time on a shared two-core
// machine, and since the 5.x fault retries (a first fault attempt that reads the page drops mmap_lock
// and goes round again) the rings have three to four times the states they had.
const SPIN_TIMEOUT = 300_000;

describe('Promela export: Spin agrees with the explorer (required cases)', { concurrent: true, timeout: SPIN_TIMEOUT }, () => {
  it('gfs2-abba-dio under gfs2-5.15: each read holds its DF glock while get_user_pages faults wanting SH on the other: Spin reports an invalid end state, the explorer a deadlock', async () => {
    const { explorer, spin } = await crossCheck(preset('gfs2-abba-dio'), 'gfs2-5.15');
    expect(explorer).toEqual({ deadlock: true, bug: false });
    expect(spin.deadlock).toBe(true);
  });

  it('gfs2-abba-dio under gfs2-5.18: -EFAULT, drop the glock, fault in, retry: neither Spin nor the explorer finds a deadlock', async () => {
    const { explorer, spin } = await crossCheck(preset('gfs2-abba-dio'), 'gfs2-5.18');
    expect(explorer).toEqual({ deadlock: false, bug: false });
    expect(spin.deadlock).toBe(false);
  });

  it('gfs2-dio-ring N=3 under gfs2-5.15: a wait-for cycle of three DF holders each wanting the next SH: Spin reports an invalid end state, the explorer a deadlock', async () => {
    const { explorer, spin } = await crossCheck(gfs2DioRing(3), 'gfs2-5.15');
    expect(explorer).toEqual({ deadlock: true, bug: false });
    expect(spin.deadlock).toBe(true);
  });

  it('gfs2-dio-ring N=3 under gfs2-5.18: neither Spin nor the explorer finds a deadlock', async () => {
    const { explorer, spin } = await crossCheck(gfs2DioRing(3), 'gfs2-5.18');
    expect(explorer).toEqual({ deadlock: false, bug: false });
    expect(spin.deadlock).toBe(false);
  });
});

const REQUIRED = new Set(['gfs2-abba-dio gfs2-5.15', 'gfs2-abba-dio gfs2-5.18', 'gfs2-dio-ring/3 gfs2-5.15', 'gfs2-dio-ring/3 gfs2-5.18']);

/** The biggest explorations (the ring of 3 under the RFC and 5.16: about 300,000 to 400,000 states), run one at a time after the rest. */
const HEAVY = new Set(['gfs2-dio-ring/3 gfs2-rfc-2021', 'gfs2-dio-ring/3 gfs2-5.16']);

const widened = [...PRESETS.filter((s) => s.fs === 'gfs2'), gfs2DioRing(2), gfs2DioRing(3), ...CUSTOM]
  .flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant, name: scenario.id === 'gfs2-dio-ring' ? `gfs2-dio-ring/${scenario.tasks.length}` : scenario.id })))
  .filter((c) => !REQUIRED.has(`${c.name} ${c.variant}`));

describe('Promela export: Spin agrees with the explorer on every gfs2 preset, ring and custom scenario', { concurrent: true, timeout: SPIN_TIMEOUT }, () => {
  it.each(widened.filter((c) => !HEAVY.has(`${c.name} ${c.variant}`)).map((c) => [c.name, c.variant, c] as const))('%s under %s', async (_name, _variant, { scenario, variant }) => {
    await crossCheck(scenario, variant);
  });
});

describe('Promela export: Spin agrees with the explorer on the biggest rings, one at a time', { timeout: 600_000 }, () => {
  it.each(widened.filter((c) => HEAVY.has(`${c.name} ${c.variant}`)).map((c) => [c.name, c.variant, c] as const))('%s under %s', async (_name, _variant, { scenario, variant }) => {
    await crossCheck(scenario, variant);
  });
});

describe('promelaOf', () => {
  it('refuses ext2-dax scenarios, saying what is not modelled', () => {
    const dax = PRESETS.find((s) => s.fs === 'ext2-dax');
    if (dax === undefined) throw new Error('no ext2-dax preset');
    const result = promelaOf(dax, dax.variants[0] ?? 'dax-2015');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^Promela export models gfs2 scenarios; ext2-dax scenarios are not modelled: .*do_dax_fault/);
  });

  it('refuses ext4 and xfs scenarios, saying what is not modelled', () => {
    const pagecache = PRESETS.find((s) => s.fs === 'ext4');
    if (pagecache === undefined) throw new Error('no ext4 preset');
    for (const variant of pagecache.variants) {
      const result = promelaOf(pagecache, variant);
      expect(result.ok).toBe(false);
      const fs = findVariant(variant)?.flags.fs;
      if (!result.ok) expect(result.message).toMatch(new RegExp(`^Promela export models gfs2 scenarios; ${fs ?? '?'} scenarios are not modelled: .*i_mmaplock`));
    }
  });

  it('refuses a DAX variant for a gfs2 scenario', () => {
    const result = promelaOf(preset('gfs2-abba-dio'), 'dax-2015');
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/dax-2015 is an ext2-dax variant, but the scenario "gfs2-abba-dio" is gfs2/) as unknown as string });
  });

  it('refuses a scenario that does not validate, naming the field', () => {
    const broken: Scenario = { ...preset('gfs2-abba-dio'), tasks: [{ pid: 101, process: 0, program: [{ call: 'pread', file: 'F9', pos: 0, len: 1, buf: 0 }] }] };
    const result = promelaOf(broken, 'gfs2-5.15');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^the scenario is not valid: tasks\[0\]\.program\[0\]\.file: /);
  });

  it('writes one task instance per scenario task, named by pid, and the kernel paths of the variant only', () => {
    const ring = exported(gfs2DioRing(3), 'gfs2-5.18');
    expect(ring).toMatch(/Faultline scenario "gfs2-dio-ring" under gfs2-5.18/);
    expect(ring.match(/run task\(/g)).toHaveLength(3);
    for (const pid of [101, 102, 103]) expect(ring).toContain(`/* pid ${pid}: process`);
    for (const name of ['gfs2_file_read_iter', 'gfs2_fault', 'iomap_dio_rw', 'fault_in_iov_iter', 'filemap_fault', 'assert(!trap_recursive)']) expect(ring).toContain(name);
    // 5.15 never faults in: no fault-in helper, no may-demote code.
    const old = exported(gfs2DioRing(3), 'gfs2-5.15');
    expect(old).not.toContain('inline fault_in_iov_iter');
    expect(old).not.toContain('set_may_demote');
    expect(exported(gfs2DioRing(3), 'gfs2-5.16')).toContain('inline set_may_demote');
  });

  it('returns notes saying what the model abstracts', () => {
    const result = promelaOf(preset('gfs2-read-self'), 'gfs2-5.16');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.notes.join('\n')).toMatch(/page contents/);
  });
});
