// The Promela export, byte for byte: every case of promela-cases.ts (each
// preset under each variant, the rings of 2 to 6, the custom scenarios; the
// scratch variables hidden and not) against the digests recorded in
// promela-golden.json before the model moved into .pml templates. A change
// meant to alter the model rewrites the table (scripts/promela-golden.ts)
// and shows its diff in review.
import { describe, expect, it } from 'vitest';
import { goldenRows } from '../../scripts/promela-golden.ts';
import golden from './promela-golden.json' with { type: 'json' };

describe('the Promela export against its recorded digests', () => {
  const rows = goldenRows();

  it('covers every recorded case, models and refusals', () => {
    expect(Object.keys(rows).sort()).toEqual(Object.keys(golden).sort());
    expect(Object.values(rows).filter((r) => r.startsWith('model')).length).toBeGreaterThan(100);
  });

  it.each(Object.keys(golden))('%s', (name) => {
    expect(rows[name]).toBe((golden as Record<string, string>)[name]);
  });
});
