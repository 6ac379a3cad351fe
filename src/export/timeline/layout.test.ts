import { scaleLinear } from 'd3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepTicks } from './layout.ts';

describe('stepTicks', () => {
  it('are the whole-step ticks of D3 for the same window and width, so the SVG export has the page axis', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 20_000, noNaN: true }), fc.double({ min: 0.5, max: 20_000, noNaN: true }), fc.integer({ min: 1, max: 4000 }), (from, span, width) => {
        const x = scaleLinear().domain([from, from + span]).range([0, width]);
        const d3 = x.ticks(Math.max(2, Math.floor(width / 90))).filter((t) => Number.isInteger(t));
        expect(stepTicks(from, from + span, width)).toEqual(d3);
      }),
      { numRuns: 2000 },
    );
  });

  it('every 5 steps across 0–60 at 1280 px, every 1,000 across 10,000 steps, every step when zoomed in', () => {
    expect(stepTicks(0, 60, 1280)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
    expect(stepTicks(0, 10_000, 1100)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(stepTicks(3.5, 7.2, 1000)).toEqual([4, 5, 6, 7]);
    expect(stepTicks(4, 4, 1000)).toEqual([4]);
    expect(stepTicks(5, 4, 1000)).toEqual([]);
  });
});
