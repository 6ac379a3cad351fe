/** The preset catalog (kernel-semantics.md §4). */
import { daxTruncate } from './presets/dax-truncate.ts';
import { gfs2AbbaDio } from './presets/gfs2-abba-dio.ts';
import { gfs2ReadSelf } from './presets/gfs2-read-self.ts';
import type { Scenario } from './types.ts';

export const PRESETS: readonly Scenario[] = [gfs2ReadSelf, gfs2AbbaDio, daxTruncate];

export function findPreset(id: string): Scenario | undefined {
  return PRESETS.find((s) => s.id === id);
}

/** The scenario the app opens with. */
export const DEFAULT_SCENARIO_ID = 'gfs2-read-self';
