import { describe, expect, it } from 'vitest';
import { VARIANTS, findVariant, variantFitsFs } from './variants.ts';

describe('variants', () => {
  it('models the eight kernels of kernel-semantics.md section 1, four per filesystem, 6.4 for xfstests generic/729, and the 2015 page-cache pair: ext4 before ea3d7209ca01 and XFS with i_mmaplock', () => {
    expect(VARIANTS).toHaveLength(11);
    expect(new Set(VARIANTS.map((v) => v.id)).size).toBe(11);
    expect(VARIANTS.filter((v) => v.flags.fs === 'ext4' || v.flags.fs === 'xfs').map((v) => [v.id, v.flags.era, v.flags.invalidateLock])).toEqual([
      ['ext4-2015', '2015', false],
      ['xfs-2015-mmaplock', '2015', true],
    ]);
    expect(VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id)).toEqual(['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18', 'gfs2-6.4']);
  });

  it('marks the two hypothetical DAX handlers as inferred', () => {
    expect(VARIANTS.filter((v) => v.inferred).map((v) => v.id)).toEqual(['dax-2015-norecheck', 'dax-imutex-fault']);
  });

  it('lets an XFS variant run an ext4 scenario (both keep file data in the page cache), and nothing else across filesystems', () => {
    expect(variantFitsFs('xfs', 'ext4')).toBe(true);
    expect(variantFitsFs('ext4', 'xfs')).toBe(true);
    expect(variantFitsFs('ext2-dax', 'ext4')).toBe(false);
    expect(variantFitsFs('gfs2', 'xfs')).toBe(false);
  });

  it('finds by id and refuses unknown ids', () => {
    expect(findVariant('gfs2-5.18')?.flags.fs).toBe('gfs2');
    expect(findVariant('gfs2-6.0')).toBeUndefined();
  });
});
