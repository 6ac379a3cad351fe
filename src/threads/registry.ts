/**
 * Every thread machine, compiled once. The simulator looks machines up here
 * by id; `compiled.test.ts` checks each table against XState's `transition`.
 */
import { compile, type CompiledMachine, type ThreadMachine } from './define.ts';
import { doPageFault, userAccess } from './fault.ts';
import { filemapFault, filemapRead } from './filemap.ts';
import { gfs2Fault, gfs2PageMkwrite, gfs2ReadIter515, gfs2ReadIter516, gfs2ReadIter518, gfs2ReadIter64, gfs2ReadIterRfc } from './gfs2.ts';
import { faultInIovIter, iomapDioRw } from './iomap.ts';
import { daxReadIter, daxWriteIter, doDaxFault } from './dax.ts';
import { gfs2WriteIter515, gfs2WriteIter516, gfs2WriteIter518, gfs2WriteIter64, gfs2WriteIterRfc, iomapBufferedWrite, iomapBufferedWriteLocked } from './gfs2-write.ts';
import { doTruncate, punchHole } from './truncate.ts';
import { doMmap, taskMachine } from './task.ts';
import { mpageReadahead } from './readahead.ts';
import { xfsFilemapFault } from './xfs.ts';
import { copyUser, lockRegion, vmOpsFault } from './lockregion.ts';

export const MACHINES: readonly ThreadMachine[] = [
  taskMachine,
  doMmap,
  userAccess,
  doPageFault,
  filemapFault,
  filemapRead,
  iomapDioRw,
  faultInIovIter,
  gfs2Fault,
  gfs2PageMkwrite,
  gfs2ReadIter515,
  gfs2ReadIterRfc,
  gfs2ReadIter516,
  gfs2ReadIter518,
  gfs2ReadIter64,
  iomapBufferedWrite,
  iomapBufferedWriteLocked,
  gfs2WriteIter515,
  gfs2WriteIterRfc,
  gfs2WriteIter516,
  gfs2WriteIter518,
  gfs2WriteIter64,
  doDaxFault,
  daxReadIter,
  daxWriteIter,
  doTruncate,
  punchHole,
  mpageReadahead,
  xfsFilemapFault,
  lockRegion,
  copyUser,
  vmOpsFault,
];

const COMPILED: ReadonlyMap<string, CompiledMachine> = new Map(MACHINES.map((m) => [m.id, compile(m)]));

export function compiledMachine(id: string): CompiledMachine | undefined {
  return COMPILED.get(id);
}

export function allCompiled(): readonly CompiledMachine[] {
  return [...COMPILED.values()];
}

/**
 * The kernel function a machine models: variants suffix their machine ids
 * ("gfs2_file_read_iter (5.18)"), the kernel has one gfs2_file_read_iter.
 */
export function baseMachine(machine: string): string {
  const at = machine.indexOf(' (');
  return at < 0 ? machine : machine.slice(0, at);
}
