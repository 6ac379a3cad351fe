// The Spin round trip: for every gfs2 preset and variant in which the
// explorer finds a deadlock or a BUG, Spin must find the same kinds on the
// Promela export, and each of its counterexamples must come back as a
// Faultline schedule whose replay ends in that outcome. Spin and a C
// compiler must be installed; the suite fails, not skips, without them.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';
import { explore } from '../sim/explore/explore.ts';
import { followTurns, turnsOf } from '../sim/explore/follow.ts';
import { decodeLink } from '../share/link.ts';
import { EXIT_DISAGREE, exploreWithSpin } from './explore-spin.ts';
import { runCli } from './run.ts';
import { DEFAULT_SPIN_LIMITS } from './spin.ts';

const LIMITS = { ...DEFAULT_SPIN_LIMITS, timeMs: 240_000 };

function explorerKinds(scenario: Scenario, variant: VariantId): string[] {
  const result = explore(buildSetup(scenario), variant);
  if (!result.complete) throw new Error(`the explorer did not finish ${scenario.id} under ${variant}`);
  return (['deadlock', 'bug'] as const).filter((k) => result.outcomes[k] !== undefined);
}

// Every gfs2 preset and variant with a documented schedule that deadlocks or BUGs (what the
// explorer finds there is computed in the test itself), and the ring of 3 under 5.15.
const documentsBad = (scenario: Scenario, variant: VariantId) => scenario.schedules.some((s) => ['deadlock', 'bug'].includes(s.expect[variant]?.kind ?? ''));
const cases = [...PRESETS.filter((s) => s.fs === 'gfs2'), gfs2DioRing(3)]
  .flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })))
  .filter((c) => documentsBad(c.scenario, c.variant) && (c.scenario.id !== 'gfs2-dio-ring' || c.variant === 'gfs2-5.15'));

describe('explore --engine spin: Spin finds what the explorer finds, and its trail comes back as a schedule with the same outcome', { concurrent: true, timeout: 300_000 }, () => {
  it('has cases: the BUG of gfs2-read-self under 5.15 and the deadlock of gfs2-abba-dio under 5.15 among them', () => {
    const names = cases.map((c) => `${c.scenario.id} ${c.variant}`);
    expect(names).toContain('gfs2-read-self gfs2-5.15');
    expect(names).toContain('gfs2-abba-dio gfs2-5.15');
  });

  it.each(cases.map((c) => [`${c.scenario.id}${c.scenario.id === 'gfs2-dio-ring' ? `/${c.scenario.tasks.length}` : ''}`, c.variant, c] as const))('%s under %s', (_name, _variant, { scenario, variant }) => {
    const kinds = explorerKinds(scenario, variant);
    expect(kinds.length, 'the explorer finds the documented deadlock or BUG').toBeGreaterThan(0);
    const result = exploreWithSpin(scenario, variant, { limits: LIMITS, ncore: 1, base: undefined, optimize: false });
    if ('refused' in result) throw new Error(result.refused);
    expect(result.verdict.complete, 'every Spin search finished within its limits').toBe(true);
    const spinKinds = (['deadlock', 'bug'] as const).filter((k) => result.verdict[k] === true);
    expect(spinKinds, `explorer ${kinds.join('+')}, Spin ${spinKinds.join('+') || 'neither'}`).toEqual(kinds);
    expect(result.counterexamples.map((c) => c.kind).sort()).toEqual([...kinds].sort());
    for (const c of result.counterexamples) {
      expect(c.schedule, `Spin's ${c.kind} trail maps to a Faultline schedule`).not.toBeNull();
      expect(c.replayed).toBe(c.kind);
      expect(c.agrees).toBe(true);
      // The link opens the same scenario, variant and schedule, at its last step.
      const decoded = decodeLink((c.link ?? '').split('#')[1] ?? '');
      expect(decoded.ok).toBe(true);
      if (decoded.ok) {
        expect(decoded.view.variant).toBe(variant);
        expect(decoded.view.schedule).toEqual(c.schedule);
        expect(decoded.view.cursor).toBe(c.schedule?.length);
      }
    }
  });
});

describe('followTurns: a trail that does not fit the engine is a disagreement, not a schedule', () => {
  const abba = findPreset('gfs2-abba-dio');
  if (abba === undefined) throw new Error('no preset gfs2-abba-dio');
  const setup = buildSetup(abba);

  it('the deadlock of gfs2-abba-dio under 5.15 needs both tasks to hold their DF glocks: turns 101, 102, 101, 102 reach it', () => {
    expect(followTurns(setup, 'gfs2-5.15', [101, 102, 101, 102], 'deadlock')).not.toBeNull();
  });

  it('one task running alone, then the other, never deadlocks: no schedule follows those turns to a deadlock', () => {
    expect(followTurns(setup, 'gfs2-5.15', turnsOf([101, 101, 101, 102, 102]), 'deadlock')).toBeNull();
  });

  it('under 5.18 no turns lead to a deadlock', () => {
    expect(followTurns(setup, 'gfs2-5.18', [101, 102, 101, 102, 101, 102, 101, 102], 'deadlock')).toBeNull();
  });
});

describe('explore --engine spin on the command line', { timeout: 300_000 }, () => {
  const run = (args: readonly string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(['explore', ...args], { version: '0' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints the verdict, the schedule Spin found, its replay and a share link', () => {
    const { code, out } = run(['--engine', 'spin', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15']);
    expect(code).toBe(0);
    expect(out).toMatch(/deadlock: not reachable; BUG: reachable/);
    expect(out).toMatch(/bug: Spin's trail \(\d+ steps, \d+ turns\) is the Faultline schedule of \d+ steps:\n {2}--schedule 101(,101)*\n {2}replayed in Faultline: bug, as Spin found\n {2}Share link: http:\/\/127\.0\.0\.1:4173\/#v=1&s=gfs2-read-self&k=gfs2-5\.15&p=/);
  });

  it('--ncore 2: the export without hidden variables runs in the multi-core verifier, with the same verdict', () => {
    const { code, out } = run(['--engine', 'spin', '--ncore', '2', '--scenario', 'gfs2-abba-dio', '--variant', 'gfs2-5.15']);
    expect(code).toBe(0);
    expect(out).toMatch(/-DNCORE=2/);
    expect(out).toMatch(/deadlock: reachable; BUG: not reachable/);
    expect(out).toMatch(/counterexamples not brought back: the multi-core verifier's trail/);
  });

  it('refuses what the export does not model, an unknown engine, and Spin limits without --engine spin', () => {
    expect(run(['--engine', 'spin', '--scenario', 'lock-page-retry', '--variant', 'dax-2015'])).toMatchObject({ code: 1, err: expect.stringMatching(/ext2-dax scenarios are not modelled/) as unknown as string });
    expect(run(['--engine', 'tla', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15'])).toMatchObject({ code: 2, err: expect.stringMatching(/--engine: expected faultline or spin, not 'tla'/) as unknown as string });
    expect(run(['--spin-time', '5', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15'])).toMatchObject({ code: 2, err: expect.stringMatching(/--spin-time applies only to --engine spin/) as unknown as string });
    expect(run(['--engine', 'spin', '--max-states', '5', '--scenario', 'gfs2-read-self', '--variant', 'gfs2-5.15'])).toMatchObject({ code: 2 });
    expect(EXIT_DISAGREE).toBe(3);
  });
});
