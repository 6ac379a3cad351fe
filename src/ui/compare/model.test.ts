import { describe, expect, it } from 'vitest';
import { buildSetup } from '../../scenarios/build.ts';
import { findPreset } from '../../scenarios/index.ts';
import { explore } from '../../sim/explore/explore.ts';
import { bugSchedule, compareRows, formatCount } from './model.ts';

function preset(id: string) {
  const s = findPreset(id);
  if (s === undefined) throw new Error(id);
  return s;
}

describe('compareRows', () => {
  it('gfs2-read-self, 5.15 → 5.18: "BUG: 1 path → 0" and "-EFAULT retry: 0 → 1 path"', () => {
    const setup = buildSetup(preset('gfs2-read-self'));
    const opts = { paths: true, lockdep: true, reduction: 'none' } as const;
    const rows = compareRows(explore(setup, 'gfs2-5.15', opts), explore(setup, 'gfs2-5.18', opts));
    // The fault-in reads F:0 in with mmap_lock dropped: VM_FAULT_RETRY, and gfs2_fault runs again (5.x filemap_fault).
    expect(rows.map((r) => r.text)).toEqual(['completed: 0 → 1 path', 'BUG: 1 path → 0', '-EFAULT retry: 0 → 1 path', 'VM_FAULT_RETRY: 0 → 1 path', 'lockdep warnings: 2 → 0']);
    expect(rows.find((r) => r.name === 'BUG')?.change).toBe('removed');
  });
});

describe('formatCount', () => {
  it('is exact below 10^15 and says it approximates above', () => {
    expect(formatCount(705276)).toBe('705,276');
    expect(formatCount(6.706672614070202e24)).toBe('≈6.7×10^24');
  });
});

describe('bugSchedule', () => {
  it('replays the schedule that deadlocks under 5.15 under both variants', () => {
    const bug = bugSchedule(preset('gfs2-abba-dio'), 'gfs2-5.15', 'gfs2-5.18');
    expect(bug?.name).toBe('both-take-DF-first');
    expect(bug?.runs.map((r) => r.run.outcome?.kind)).toEqual(['deadlock', 'completed']);
  });
});
