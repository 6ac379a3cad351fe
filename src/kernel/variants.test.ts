import { describe, expect, it } from 'vitest';
import { VARIANTS, findVariant } from './variants.ts';

describe('variants', () => {
  it('models the eight kernels of kernel-semantics.md section 1, four per filesystem, and 6.4 for xfstests generic/729', () => {
    expect(VARIANTS).toHaveLength(9);
    expect(new Set(VARIANTS.map((v) => v.id)).size).toBe(9);
    expect(VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id)).toEqual(['gfs2-5.15', 'gfs2-rfc-2021', 'gfs2-5.16', 'gfs2-5.18', 'gfs2-6.4']);
  });

  it('marks the two hypothetical DAX handlers as inferred', () => {
    expect(VARIANTS.filter((v) => v.inferred).map((v) => v.id)).toEqual(['dax-2015-norecheck', 'dax-imutex-fault']);
  });

  it('finds by id and refuses unknown ids', () => {
    expect(findVariant('gfs2-5.18')?.flags.fs).toBe('gfs2');
    expect(findVariant('gfs2-6.0')).toBeUndefined();
  });
});
