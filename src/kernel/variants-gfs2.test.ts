// What the gfs2 variants are called, in the words of the stable trees: the
// 5.16 fix reached linux-5.15.y in 5.15.37 (5.15.37-rc1 review, April 2022),
// so "5.15" alone would be wrong for half of that branch.
import { describe, expect, it } from 'vitest';
import { findVariant } from './variants.ts';

describe('gfs2 variant names', () => {
  it('the unfixed variant is v5.8 (20f829999c38, the glock taken in read_iter) to 5.15.36, in its title, summary and source', () => {
    const unfixed = findVariant('gfs2-5.15');
    expect(unfixed?.title).toBe('gfs2 unfixed: v5.8 to 5.15.36');
    expect(unfixed?.summary).toContain('v5.8 up to the last unfixed 5.15.y (5.15.36; 5.15.37 took the 5.16 fix)');
    expect(unfixed?.source).toContain('5.15.36');
  });

  it('the 5.16 variant says it is also 5.15.37 and later, and that a local waiter never demotes a may-demote holder', () => {
    const fixed = findVariant('gfs2-5.16');
    expect(fixed?.title).toContain('5.15.37+');
    expect(fixed?.summary).toContain('A local waiter never demotes it');
    expect(fixed?.source).toContain('backported to 5.15.37');
  });
});
