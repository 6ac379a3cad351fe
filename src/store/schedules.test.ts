// The schedules every run loop chooses, kept as a table: each preset's
// documented interleavings replayed and finished round-robin (what the page
// and the CLI open), and the page's seeded random runs from step 0. A change
// to how tasks are scheduled (sim/schedulers.ts) must leave every row as it
// is; a change to the kernel model that changes a row updates the table on
// purpose: `SCHEDULES_TABLE=write npx vitest run src/store/schedules.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { outcomeOf, type Outcome } from '../sim/outcome.ts';
import { replay } from '../sim/replay.ts';
import { createFaultlineStore } from './faultline.ts';

const TABLE = new URL('./schedules.table.json', import.meta.url);

/** FNV-1a of the pids: the table keeps a schedule's length and hash, not the schedule. */
function scheduleHash(schedule: readonly number[]): string {
  let hash = 0x811c9dc5;
  for (const pid of schedule) {
    hash ^= pid;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function row(schedule: readonly number[], outcome: Outcome | null): string {
  return `${schedule.length} steps ${scheduleHash(schedule)} → ${outcome?.kind ?? 'none'}`;
}

function table(): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const scenario of PRESETS) {
    for (const variant of scenario.variants) {
      for (const named of scenario.schedules) {
        const run = replay(buildSetup(scenario), variant, named.steps, { finish: true });
        rows[`${scenario.id} ${variant} ${named.name}`] = run.refused === null ? row(run.schedule, run.outcome) : `refused at step ${run.refused.at + 1}: ${run.refused.error.kind}`;
      }
      const store = createFaultlineStore({ scenario, variant, schedule: [] });
      for (const seed of [1, 2]) {
        store.getState().reset();
        store.getState().runToEnd({ kind: 'random', seed });
        const s = store.getState();
        const last = s.states[s.states.length - 1];
        rows[`${scenario.id} ${variant} random seed ${seed}`] = row(s.schedule, last === undefined ? null : outcomeOf(last));
      }
    }
  }
  return rows;
}

describe('the schedules of every preset', () => {
  it('are the ones in the table: documented interleavings finished round-robin, and seeded random runs', () => {
    const now = table();
    if (process.env.SCHEDULES_TABLE === 'write') writeFileSync(TABLE, `${JSON.stringify(now, null, 1)}\n`);
    const kept = JSON.parse(readFileSync(TABLE, 'utf8')) as Record<string, string>;
    expect(now).toEqual(kept);
    // Every kind of ending is in the table, so a scheduler that broke one would show.
    const rows = Object.values(kept).join('\n');
    for (const kind of ['completed', 'deadlock', 'bug', 'sigbus', 'livelock', 'refused']) expect(rows).toContain(kind);
  });
});
