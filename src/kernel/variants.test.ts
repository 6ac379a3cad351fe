// A variant is a kernel: what these tests hold it to is that the engine runs
// each one differently, not what the table in variants.ts says.
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { validateScenario } from '../scenarios/validate.ts';
import { replay } from '../sim/replay.ts';
import { VARIANTS, findVariant, variantFitsFs, type VariantId } from './variants.ts';

/** The outcome of every preset schedule that can run under `variant`, in one string per schedule. */
function behaviour(variant: VariantId): string[] {
  const fs = findVariant(variant)?.flags.fs;
  return PRESETS.filter((p) => fs !== undefined && variantFitsFs(fs, p.fs)).flatMap((p) =>
    p.schedules.map((s) => {
      const run = replay(buildSetup(p), variant, s.steps, { finish: true });
      const outcome = run.outcome;
      const returns = outcome?.kind === 'completed' || outcome?.kind === 'sigbus' ? JSON.stringify(outcome.returns) : '';
      return `${p.id}/${s.name}: ${run.refused !== null ? `refused at ${run.refused.at}` : (outcome?.kind ?? 'none')} ${returns} after ${run.trace.length} steps`;
    }),
  );
}

describe('variants', () => {
  const ids = VARIANTS.map((v) => v.id);

  it('no two variants behave alike: for each pair, some preset schedule of their filesystem ends differently', () => {
    const runs = new Map(ids.map((id) => [id, behaviour(id)]));
    const alike: string[] = [];
    for (const [i, a] of ids.entries()) {
      for (const b of ids.slice(i + 1)) {
        const fa = findVariant(a)?.flags.fs;
        const fb = findVariant(b)?.flags.fs;
        if (fa === undefined || fb === undefined || !variantFitsFs(fa, fb)) continue;
        if (JSON.stringify(runs.get(a)) === JSON.stringify(runs.get(b))) alike.push(`${a} = ${b}`);
      }
    }
    expect(alike).toEqual([]);
  });

  it('every variant is the one some preset documents an outcome for, so each is exercised by catalog.test.ts', () => {
    const documented = new Set(PRESETS.flatMap((p) => p.schedules.flatMap((s) => Object.keys(s.expect))));
    expect(ids.filter((id) => !documented.has(id))).toEqual([]);
  });

  it('a hypothetical (inferred) variant has no outcome a preset calls verified: nothing reported can back it', () => {
    const claims = PRESETS.flatMap((p) =>
      p.schedules.flatMap((s) =>
        Object.entries(s.expect)
          .filter(([variant, e]) => findVariant(variant)?.inferred === true && e?.basis === 'verified')
          .map(([variant]) => `${p.id}/${s.name} under ${variant}`),
      ),
    );
    expect(claims).toEqual([]);
  });

  it('a scenario runs only under variants of its filesystem (XFS and ext4 share the page-cache paths): the validator refuses the others', () => {
    const preset = PRESETS.find((p) => p.id === 'gfs2-read-self');
    if (preset === undefined) throw new Error('no preset gfs2-read-self');
    for (const v of VARIANTS) {
      const result = validateScenario({ ...preset, variants: [v.id], schedules: [] });
      expect(result.ok, v.id).toBe(v.flags.fs === 'gfs2');
    }
    expect(variantFitsFs('xfs', 'ext4')).toBe(true);
    expect(variantFitsFs('ext4', 'xfs')).toBe(true);
    expect(variantFitsFs('ext2-dax', 'ext4')).toBe(false);
  });

  it('finds by id and refuses unknown ids', () => {
    expect(findVariant('gfs2-5.18')?.flags.fs).toBe('gfs2');
    expect(findVariant('gfs2-6.0')).toBeUndefined();
  });
});
