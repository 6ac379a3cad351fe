// Every register a frame holds at run time has a declared kind
// (threads/regs.ts REGISTER_KINDS), so a tool that rewrites values inside
// frames (symmetry relabelling of inodes, pages, blocks) misses none: the
// types cover what the steps write, and this holds the run time to them
// over every documented schedule of every preset.
import { describe, expect, it } from 'vitest';
import { replay } from '../sim/replay.ts';
import { REGISTER_KINDS } from '../threads/regs.ts';
import { buildSetup } from './build.ts';
import { PRESETS } from './index.ts';

describe('register kinds', () => {
  it('every register of every frame in every documented schedule has a kind', () => {
    const seen = new Set<string>();
    for (const scenario of PRESETS) {
      for (const schedule of scenario.schedules) {
        for (const variant of scenario.variants.filter((v) => schedule.expect[v] !== undefined)) {
          const run = replay(buildSetup(scenario), variant, schedule.steps, { finish: true });
          for (const state of run.states) for (const task of state.tasks) for (const frame of task.stack) for (const key of Object.keys(frame.regs)) seen.add(key);
        }
      }
    }
    expect([...seen].filter((key) => !(key in REGISTER_KINDS))).toEqual([]);
    // The walk reached the registers a symmetry reduction moves.
    expect(['ino', 'page', 'vmfPage', 'block'].filter((key) => !seen.has(key))).toEqual([]);
  });
});
