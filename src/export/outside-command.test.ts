import { describe, expect, it } from 'vitest';
import { findPreset } from '../scenarios/index.ts';
import { gfs2DioRing } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';
import { outsideCommand } from './outside-command.ts';

function preset(id: string): Scenario {
  const s = findPreset(id);
  if (s === undefined) throw new Error(`no preset ${id}`);
  return s;
}

describe('outsideCommand: what the page offers when a search is too big for it', () => {
  it('a gfs2 preset goes to Spin by its id', () => {
    expect(outsideCommand(preset('gfs2-abba-dio'), 'gfs2-5.18')).toMatchObject({ command: 'npm run -s cli -- explore --engine spin --scenario gfs2-abba-dio --variant gfs2-5.18', needsFile: false });
  });

  it('the ring goes to Spin by its size', () => {
    expect(outsideCommand(gfs2DioRing(5), 'gfs2-5.15').command).toBe('npm run -s cli -- explore --engine spin --scenario gfs2-dio-ring --tasks 5 --variant gfs2-5.15');
  });

  it('an edited scenario is named by its file, and the note says to export it first', () => {
    const edited = { ...preset('gfs2-abba-dio'), freeBlocks: 9 };
    const out = outsideCommand(edited, 'gfs2-5.15');
    expect(out.command).toBe('npm run -s cli -- explore --engine spin --scenario-file gfs2-abba-dio.json --variant gfs2-5.15');
    expect(out.needsFile).toBe(true);
    expect(out.note).toMatch(/^Export the scenario JSON \(Export view\) as gfs2-abba-dio\.json, then run/);
  });

  it('a scenario Spin does not model goes to the command-line explorer with larger limits, saying why', () => {
    const out = outsideCommand(preset('lock-page-retry'), 'dax-2015');
    expect(out.command).toBe('npm run -s cli -- explore --scenario lock-page-retry --variant dax-2015 --max-states 50000000 --time-limit 3600');
    expect(out.note).toMatch(/Spin cannot take it: Promela export models gfs2 scenarios; ext2-dax scenarios are not modelled/);
  });
});
