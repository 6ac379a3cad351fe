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
  | 'gfs2-5.18';

export type Filesystem = 'ext2-dax' | 'gfs2';

export interface Variant {
  readonly id: VariantId;
  readonly fs: Filesystem;
  readonly title: string;
  /** What the variant models, in one sentence. */
  readonly summary: string;
  /** Where the behaviour comes from: a file, a commit or the seed. */
  readonly source: string;
  /** True when no report of the behaviour was found: the UI must say so. */
  readonly inferred: boolean;
}

export const VARIANTS: readonly Variant[] = [
  {
    id: 'dax-2015',
    fs: 'ext2-dax',
    title: 'ext2 DAX, Linux 4.0',
    summary: 'do_dax_fault re-checks i_size under i_mmap before inserting the PTE.',
    source: 'fs/dax.c (v4.0), commit 4927b7d77c00; seed dax-fault-handler-2015',
    inferred: false,
  },
  {
    id: 'dax-2015-norecheck',
    fs: 'ext2-dax',
    title: 'ext2 DAX without the i_size re-check',
    summary: 'The same handler with the re-check under i_mmap removed: shows why it exists.',
    source: 'fs/dax.c (v4.0) with the re-check deleted',
    inferred: true,
  },
  {
    id: 'dax-imutex-fault',
    fs: 'ext2-dax',
    title: 'DAX fault that takes i_mutex (hypothetical)',
    summary: 'A fault handler that takes i_mutex, which the seed says it must not: i_mutex nests inside mmap_sem.',
    source: 'seed dax-fault-handler-2015; lock order in mm/rmap.c',
    inferred: true,
  },
  {
    id: 'dax-invalidate-lock',
    fs: 'ext2-dax',
    title: 'DAX with invalidate_lock (5.15+)',
    summary: 'Faults take invalidate_lock shared; truncate and hole punch take it exclusive.',
    source: 'commit 730633f0b7f9, "mm: Protect operations adding pages to page cache with invalidate_lock"',
    inferred: false,
  },
  {
    id: 'gfs2-5.15',
    fs: 'gfs2',
    title: 'gfs2 before the fix (≤ 5.15)',
    summary: 'The user copy faults while the inode glock is held.',
    source: 'fs/gfs2/file.c (v5.15)',
    inferred: false,
  },
  {
    id: 'gfs2-rfc-2021',
    fs: 'gfs2',
    title: 'gfs2 RFC, May 2021',
    summary: 'The fault handler looks at the glocks the task holds: covered → no new holder; else trylock; failure → VM_FAULT_SIGBUS → -EFAULT → drop, fault in, retry.',
    source: 'seed gfs2-page-faults-2021 (20210531170123.243771-1-agruenba@redhat.com)',
    inferred: false,
  },
  {
    id: 'gfs2-5.16',
    fs: 'gfs2',
    title: 'gfs2 5.16 merged fix',
    summary: 'Copy with page faults disabled; on -EFAULT let the holder be demoted, fault in, retry.',
    source: 'commits 00bfe02f4796, dc732906c245',
    inferred: false,
  },
  {
    id: 'gfs2-5.18',
    fs: 'gfs2',
    title: 'gfs2 5.18 and later',
    summary: 'On -EFAULT drop the glock, fault in a window, re-acquire and retry; give up only when fault-in makes no progress.',
    source: 'commits 296abc0d91d8, e1fa9ea85ce8; fs/gfs2/file.c',
    inferred: false,
  },
];

export function findVariant(id: string): Variant | undefined {
  return VARIANTS.find((v) => v.id === id);
}
