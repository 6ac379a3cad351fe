/**
 * Storage blocks and the block map (`get_block`). Under DAX a block is the
 * memory a user PTE maps directly (fs/dax.c: vm_insert_mixed), so freeing a
 * block that a PTE still maps is a use-after-free of storage.
 */
import type { BlockId, Ino } from './ids.ts';
import { updateInode } from './pagecache.ts';
import { ZEROES, type Block, type Content, type KernelState } from './state.ts';

export type GetBlockResult =
  | { readonly kind: 'mapped'; readonly block: BlockId }
  | { readonly kind: 'hole' }
  /** The map returned an extent shorter than a page: bh.b_size < PAGE_SIZE. */
  | { readonly kind: 'short-extent' };

/** get_block(create = 0). */
export function lookupBlock(kernel: KernelState, ino: Ino, index: number): GetBlockResult {
  const inode = kernel.inodes[ino];
  if (inode === undefined) return { kind: 'hole' };
  if (inode.shortExtents.includes(index)) return { kind: 'short-extent' };
  const block = inode.map[index] ?? null;
  return block === null ? { kind: 'hole' } : { kind: 'mapped', block };
}

/**
 * get_block(create = 1): the lowest free block, marked new (buffer_new) so the
 * caller zeroes it before exposing it. Null when the device is full.
 */
export function allocateBlock(kernel: KernelState, ino: Ino, index: number): { kernel: KernelState; block: BlockId } | null {
  const block = kernel.blocks.findIndex((b) => b.owner === null);
  if (block < 0) return null;
  const blocks = kernel.blocks.slice();
  blocks[block] = { owner: { ino, index }, fresh: true, content: 'stale' };
  const withMap = updateInode({ ...kernel, blocks }, ino, (inode) => {
    const map = inode.map.slice();
    while (map.length <= index) map.push(null);
    map[index] = block;
    return { ...inode, map };
  });
  return { kernel: withMap, block };
}

/** Zero a new block before it is mapped (dax_clear_blocks). */
export function zeroBlock(kernel: KernelState, block: BlockId): KernelState {
  return setBlock(kernel, block, (b) => ({ ...b, fresh: false, content: ZEROES }));
}

export function writeBlock(kernel: KernelState, block: BlockId, content: Content): KernelState {
  return setBlock(kernel, block, (b) => ({ ...b, content }));
}

/** Free the blocks of a file from `fromIndex` up to (not including) `toIndex`. */
export function freeBlocks(kernel: KernelState, ino: Ino, fromIndex: number, toIndex: number): KernelState {
  const inode = kernel.inodes[ino];
  if (inode === undefined) return kernel;
  const blocks = kernel.blocks.slice();
  const map = inode.map.slice();
  for (let index = fromIndex; index < Math.min(toIndex, map.length); index++) {
    const block = map[index];
    if (block === null || block === undefined) continue;
    const b = blocks[block];
    if (b !== undefined) blocks[block] = { ...b, owner: null };
    map[index] = null;
  }
  return updateInode({ ...kernel, blocks }, ino, (i) => ({ ...i, map }));
}

function setBlock(kernel: KernelState, block: BlockId, change: (b: Block) => Block): KernelState {
  const b = kernel.blocks[block];
  if (b === undefined) return kernel;
  const blocks = kernel.blocks.slice();
  blocks[block] = change(b);
  return { ...kernel, blocks };
}
