/** The preset catalog (kernel-semantics.md §4), in the order the UI lists them. */
import { daxPunch } from './presets/dax-punch.ts';
import { daxShortExtent } from './presets/dax-short-extent.ts';
import { daxTruncate } from './presets/dax-truncate.ts';
import { gfs2AbbaDio } from './presets/gfs2-abba-dio.ts';
import { gfs2DioReadSelf } from './presets/gfs2-dio-read-self.ts';
import { gfs2ReadMkwrite } from './presets/gfs2-read-mkwrite.ts';
import { gfs2ReadSelf } from './presets/gfs2-read-self.ts';
import { gfs2SigbusKernelVsUser } from './presets/gfs2-sigbus-kernel-vs-user.ts';
import { gfs2TwoNodeWrite } from './presets/gfs2-two-node-write.ts';
import { gfs2WriteVsMmap } from './presets/gfs2-write-vs-mmap.ts';
import { imutexMmapsem } from './presets/imutex-mmapsem.ts';
import { lockPageRetry } from './presets/lock-page-retry.ts';
import { truncateMappingRepeat } from './presets/truncate-mapping-repeat.ts';
import { xfstests647 } from './presets/xfstests-647.ts';
import { xfstests729 } from './presets/xfstests-729.ts';
import { daxPrivateWrite } from './presets/dax-private-write.ts';
import { daxHolePageEio } from './presets/dax-hole-page-eio.ts';
import { daxWriteHolePage } from './presets/dax-write-hole-page.ts';
import { pagecachePunchFault } from './presets/pagecache-punch-fault.ts';
import type { Scenario } from './types.ts';

export const PRESETS: readonly Scenario[] = [gfs2ReadSelf, gfs2DioReadSelf, gfs2AbbaDio, gfs2TwoNodeWrite, gfs2WriteVsMmap, daxTruncate, daxPunch, imutexMmapsem, lockPageRetry, truncateMappingRepeat, daxShortExtent, xfstests647, xfstests729, gfs2ReadMkwrite, gfs2SigbusKernelVsUser, daxPrivateWrite, daxHolePageEio, daxWriteHolePage, pagecachePunchFault];

export function findPreset(id: string): Scenario | undefined {
  return PRESETS.find((s) => s.id === id);
}

/** The scenario the app opens with. */
export const DEFAULT_SCENARIO_ID = 'gfs2-read-self';
