// The Promela model (the templates in promela/*.pml) against the simulator it translates.
// Every kernel path a gfs2 scenario runs in the simulator must be in the model
// exported for it. And the glock rules, rule by rule: the model's macros for DLM compatibility between nodes and for
// may_grant against a granted holder are run by Spin (in simulation, on a
// harness of the model's own #defines) for every pair of modes, and must
// answer what the simulator's glock does. A rule changed in one and not the
// other fails here, without waiting for a scenario's verdict to differ.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glockNq, newGlock, nodesCompatible, type GlockMode, type HolderMode } from '../kernel/glock.ts';
import { UNLOCKED } from '../kernel/sleeplock.ts';
import type { KernelState } from '../kernel/state.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import { replay } from '../sim/replay.ts';
import { baseMachine } from '../threads/registry.ts';
import { promelaOf } from './promela.ts';

const MODES: readonly GlockMode[] = ['UN', 'SH', 'DF', 'EX'];
const HOLDER_MODES: readonly HolderMode[] = ['SH', 'DF', 'EX'];

/** One node, one inode, its glock in `state` with pid 1 holding it in `held` (granted), or no holder. */
function kernelWith(state: GlockMode, held: HolderMode | null): KernelState {
  const gl = newGlock(0, 0);
  const holders = held === null ? [] : [{ pid: 1, mode: held, try: false, mayDemote: false, caller: 'holder', granted: true }];
  return {
    inodes: [{ name: 'F', size: 4096, map: [null], shortExtents: [], cache: [null], i_rwsem: UNLOCKED, i_mmap: UNLOCKED, invalidate_lock: UNLOCKED }],
    pages: [],
    blocks: [],
    mms: [],
    glocks: [{ ...gl, state, holders }],
    nodes: 1,
  };
}

/** The simulator's answer: is pid 2's request in `mode` granted at once beside pid 1's holder? */
function grantedBeside(held: HolderMode, mode: HolderMode): boolean {
  return glockNq(kernelWith(held, held), { node: 0, ino: 0, pid: 2, mode, try: false, caller: 'request', recursionSkipsMayDemote: false }).kind === 'granted';
}

/** Every single-line #define of the model exported for a gfs2 preset under `variant`. */
function modelDefines(variant: 'gfs2-5.15' | 'gfs2-5.18'): string {
  const preset = findPreset('gfs2-abba-dio');
  if (preset === undefined) throw new Error('no preset gfs2-abba-dio');
  const result = promelaOf(preset, variant);
  if (!result.ok) throw new Error(result.message);
  return result.model
    .split('\n')
    .filter((line) => line.startsWith('#define ') && !line.trimEnd().endsWith('\\'))
    .join('\n');
}

/** Run `body` in Spin's simulator after the model's defines; the assertions that failed, as Spin prints them. */
function spinAsserts(defines: string, body: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-glock-rules-'));
  try {
    writeFileSync(join(dir, 'rules.pml'), `${defines}\nbyte gl_state[1];\nbyte h_mode[1];\ninit {\n${body.join('\n')}\n}\n`);
    const out = execFileSync('spin', ['rules.pml'], { cwd: dir, encoding: 'utf8' });
    return out.split('\n').filter((line) => line.includes('assertion violated'));
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    const failed = out.split('\n').filter((line) => line.includes('assertion violated'));
    if (failed.length > 0) return failed;
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bit = (b: boolean): number => (b ? 1 : 0);

describe.each(['gfs2-5.15', 'gfs2-5.18'] as const)('the glock rules of the Promela model under %s', (variant) => {
  const defines = modelDefines(variant);

  it('COMPAT (between nodes) is nodesCompatible for every pair of states', () => {
    const body = MODES.flatMap((a) => MODES.map((b) => `  assert(COMPAT(${a}, ${b}) == ${bit(nodesCompatible(a, b))});   /* ${a} ${b} */`));
    expect(body).toHaveLength(16);
    expect(spinAsserts(defines, body)).toEqual([]);
  });

  it('MAY_GRANT against a granted holder, and LOCAL_SHARE, grant beside a holder exactly when glockNq does', () => {
    const body = HOLDER_MODES.flatMap((held) =>
      HOLDER_MODES.flatMap((mode) => {
        const expected = bit(grantedBeside(held, mode));
        return [`  gl_state[0] = ${held}; h_mode[0] = ${held};`, `  assert(MAY_GRANT(0, 0, ${mode}) == ${expected});   /* held ${held}, asks ${mode} */`, `  assert(LOCAL_SHARE(${held}, ${mode}) == ${expected});`];
      }),
    );
    // The simulator's rule, in kernel words: SH beside SH, DF beside DF, nothing beside EX.
    expect(HOLDER_MODES.flatMap((held) => HOLDER_MODES.filter((mode) => grantedBeside(held, mode)).map((mode) => `${held}+${mode}`))).toEqual(['SH+SH', 'DF+DF']);
    expect(spinAsserts(defines, body)).toEqual([]);
  });

  it('a rule changed on one side only is caught: a COMPAT that lets EX share fails', () => {
    const broken = defines.replace(/^#define COMPAT\(a, b\).*$/m, '#define COMPAT(a, b) ((a) == UN || (b) == UN || (a) == (b))');
    expect(broken).not.toBe(defines);
    const body = MODES.flatMap((a) => MODES.map((b) => `  assert(COMPAT(${a}, ${b}) == ${bit(nodesCompatible(a, b))});`));
    expect(spinAsserts(broken, body).length).toBeGreaterThan(0);
  });
});

describe('the kernel paths of the Promela model', () => {
  const cases = PRESETS.filter((p) => p.fs === 'gfs2').flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

  it.each(cases.map((c) => [c.scenario.id, c.variant, c] as const))('%s under %s: every machine its schedules run is a kernel function the exported model names', (_id, _v, { scenario, variant }) => {
    const result = promelaOf(scenario, variant);
    if (!result.ok) throw new Error(result.message);
    const machines = new Set(scenario.schedules.flatMap((s) => replay(buildSetup(scenario), variant, s.steps, { finish: true }).trace.map((t) => baseMachine(t.machine))));
    // The task machine is the model's proctype itself, not a kernel function.
    machines.delete('task');
    expect(machines.size).toBeGreaterThan(1);
    expect([...machines].filter((m) => !result.model.includes(m))).toEqual([]);
  });
});
