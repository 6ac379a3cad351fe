/**
 * The kernel versions and patch sets a scenario can run under
 * (kernel-semantics.md, section 1). A variant is a parameter of the run: the
 * thread machines branch on its flags, never on its id, so a new variant is a
 * new row here.
 */

export type VariantId =
  | 'dax-2015'
  | 'dax-2015-norecheck'
  | 'dax-imutex-fault'
  | 'dax-invalidate-lock'
  | 'gfs2-5.15'
  | 'gfs2-rfc-2021'
  | 'gfs2-5.16'
  | 'gfs2-5.18'
  | 'gfs2-6.4'
  | 'ext4-2015'
  | 'xfs-2015-mmaplock';

/**
 * ext2-dax: no page cache for data; gfs2: the cluster filesystem; ext4 and
 * xfs: local block filesystems whose data goes through the page cache (the
 * seed's "the same problem exists with non-DAX files too").
 */
export type Filesystem = 'ext2-dax' | 'gfs2' | 'ext4' | 'xfs';

/** ext4 and xfs: the local page-cache filesystems, whose scenarios are the same data and may run under either's variants. */
export function isPageCacheFs(fs: Filesystem): boolean {
  return fs === 'ext4' || fs === 'xfs';
}

/** May a variant of filesystem `variant` run a scenario written for `scenario`? */
export function variantFitsFs(variant: Filesystem, scenario: Filesystem): boolean {
  return variant === scenario || (isPageCacheFs(variant) && isPageCacheFs(scenario));
}

/** Which gfs2 answer to faults under a held glock the variant runs. */
export type Gfs2Fix = 'none' | 'rfc' | '5.16' | '5.18' | '6.4';

/** What the thread machines branch on. */
export interface VariantFlags {
  readonly fs: Filesystem;
  /** Names in reports: 2015 says i_mutex and mmap_sem, 5.x i_rwsem and mmap_lock. */
  readonly era: '2015' | '5.x';
  /** do_dax_fault re-checks i_size under i_mmap before inserting the PTE (fs/dax.c, v4.0). */
  readonly daxSizeRecheck: boolean;
  /** The hypothetical DAX fault handler that takes i_mutex. */
  readonly faultTakesIMutex: boolean;
  /**
   * Faults take invalidate_lock shared; truncate and punch take it
   * exclusive. On xfs (2015) the same lock is XFS's i_mmaplock, which 5.15
   * turned into mapping->invalidate_lock.
   */
  readonly invalidateLock: boolean;
  readonly gfs2Fix: Gfs2Fix;
}

export interface Variant {
  readonly id: VariantId;
  readonly title: string;
  /** What the variant models, in one sentence. */
  readonly summary: string;
  /** Where the behaviour comes from: a file, a commit or the seed. */
  readonly source: string;
  /** True when no report of the behaviour was found: the UI must say so. */
  readonly inferred: boolean;
  readonly flags: VariantFlags;
}

const DAX_2015: VariantFlags = { fs: 'ext2-dax', era: '2015', daxSizeRecheck: true, faultTakesIMutex: false, invalidateLock: false, gfs2Fix: 'none' };
const GFS2: VariantFlags = { fs: 'gfs2', era: '5.x', daxSizeRecheck: true, faultTakesIMutex: false, invalidateLock: false, gfs2Fix: 'none' };
const PAGECACHE_2015: VariantFlags = { fs: 'ext4', era: '2015', daxSizeRecheck: true, faultTakesIMutex: false, invalidateLock: false, gfs2Fix: 'none' };

export const VARIANTS: readonly Variant[] = [
  {
    id: 'dax-2015',
    title: 'ext2 DAX, Linux 4.0',
    summary: 'do_dax_fault re-checks i_size under i_mmap before inserting the PTE.',
    source: 'fs/dax.c (v4.0), commit 4927b7d77c00; seed dax-fault-handler-2015',
    inferred: false,
    flags: DAX_2015,
  },
  {
    id: 'dax-2015-norecheck',
    title: 'ext2 DAX without the i_size re-check',
    summary: 'The same handler with the re-check under i_mmap removed: shows why it exists.',
    source: 'fs/dax.c (v4.0) with the re-check deleted',
    inferred: true,
    flags: { ...DAX_2015, daxSizeRecheck: false },
  },
  {
    id: 'dax-imutex-fault',
    title: 'DAX fault that takes i_mutex (hypothetical)',
    summary: 'A fault handler that takes i_mutex, which the seed says it must not: i_mutex nests inside mmap_sem.',
    source: 'seed dax-fault-handler-2015; lock order in mm/rmap.c',
    inferred: true,
    flags: { ...DAX_2015, faultTakesIMutex: true },
  },
  {
    id: 'dax-invalidate-lock',
    title: 'DAX with invalidate_lock (5.15+)',
    summary: 'Faults take invalidate_lock shared; truncate and hole punch take it exclusive.',
    source: 'commit 730633f0b7f9, "mm: Protect operations adding pages to page cache with invalidate_lock"',
    inferred: false,
    flags: { ...DAX_2015, era: '5.x', invalidateLock: true },
  },
  {
    // The id keeps its old name for links; the code is every kernel from v5.8 (gfs2_file_read_iter takes
    // the glock itself, 20f829999c38) to 5.15.36: 5.15.37 took the 5.16 series (5.15.37-rc1 review, April 2022).
    id: 'gfs2-5.15',
    title: 'gfs2 unfixed: v5.8 to 5.15.36',
    summary: 'The user copy faults while the inode glock is held: v5.8 up to the last unfixed 5.15.y (5.15.36; 5.15.37 took the 5.16 fix).',
    source: 'fs/gfs2/file.c (v5.15); linux-5.15.y up to 5.15.36',
    inferred: false,
    flags: GFS2,
  },
  {
    id: 'gfs2-rfc-2021',
    title: 'gfs2 RFC, May 2021',
    summary: 'The fault handler looks at the glocks the task holds: covered → no new holder; else trylock; failure → VM_FAULT_SIGBUS → -EFAULT → drop, fault in, retry.',
    source: 'seed gfs2-page-faults-2021 (20210531170123.243771-1-agruenba@redhat.com)',
    inferred: false,
    flags: { ...GFS2, gfs2Fix: 'rfc' },
  },
  {
    id: 'gfs2-5.16',
    title: 'gfs2 5.16 merged fix (and 5.15.37+)',
    summary: 'Copy with page faults disabled; on -EFAULT mark the holder may-demote (HIF_MAY_DEMOTE), fault in, retry. A local waiter never demotes it, as v5.16’s do_promote is written; a remote request does.',
    source: 'commits 00bfe02f4796, b01b2d72da25, dc732906c245 (v5.16; backported to 5.15.37)',
    inferred: false,
    flags: { ...GFS2, gfs2Fix: '5.16' },
  },
  {
    id: 'gfs2-5.18',
    title: 'gfs2 5.18 and later',
    summary: 'On -EFAULT drop the glock, fault in a window, re-acquire and retry; give up only when fault-in makes no progress.',
    source: 'commits 296abc0d91d8, e1fa9ea85ce8; fs/gfs2/file.c',
    inferred: false,
    flags: { ...GFS2, gfs2Fix: '5.18' },
  },
  {
    id: 'gfs2-6.4',
    title: 'gfs2 6.4 (O_DIRECT write falls back to buffered)',
    summary: '5.18’s loop, but an O_DIRECT write whose retry made no progress with a one-page window faults in once more and falls back to a buffered write.',
    source: 'commit fa58cc888d67 "gfs2: Don\'t get stuck writing page onto itself under direct I/O" (v6.4-rc6); xfstests generic/729',
    inferred: false,
    flags: { ...GFS2, gfs2Fix: '6.4' },
  },
  {
    id: 'ext4-2015',
    title: 'ext4, Linux 4.0 (page cache)',
    summary: 'Page faults and hole punch are not serialized: ext4_punch_hole drops the page cache, frees the blocks and drops it again, but a read-around that looked the blocks up first adds its pages after.',
    source: 'fs/ext4/inode.c (v4.0–4.4): ext4_punch_hole; fs/mpage.c: mpage_readpages; fixed in 4.5 by ea3d7209ca01 (CVE-2015-8839)',
    inferred: false,
    flags: PAGECACHE_2015,
  },
  {
    id: 'xfs-2015-mmaplock',
    title: 'XFS with i_mmaplock, Linux 4.1',
    summary: 'xfs_filemap_fault holds XFS_MMAPLOCK_SHARED around filemap_fault; hole punch and truncate hold it exclusive across the page-cache drop and the block free.',
    source: 'commit 653c60b633a9 ("xfs: introduce mmap/truncate lock"); fs/xfs/xfs_file.c (v4.1): xfs_filemap_fault, xfs_file_fallocate',
    inferred: false,
    flags: { ...PAGECACHE_2015, fs: 'xfs', invalidateLock: true },
  },
];

export function findVariant(id: string): Variant | undefined {
  return VARIANTS.find((v) => v.id === id);
}
