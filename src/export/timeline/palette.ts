/**
 * Colours of the timeline, shared by both renderers (render.ts) and the
 * page's legend so they cannot disagree. Lock kinds use hues far apart (a glock and a page lock
 * must never be confused); waits are red and hatched, faults amber, the
 * retry path dark with coloured points.
 */
import { EVENT_KINDS, FAULT_MACHINES, LOCK_KINDS, MARKER_KINDS, PATH_KINDS, type LockKind, type MarkerKind, type PathKind } from './model.ts';

export interface Swatch {
  readonly fill: string;
  /** Text drawn on top of the fill. */
  readonly ink: string;
}

const LOCKS: Record<LockKind, Swatch> = {
  glock: { fill: '#6d3fc0', ink: '#ffffff' },
  mmap_sem: { fill: '#1f6fd1', ink: '#ffffff' },
  i_rwsem: { fill: '#1e8a4c', ink: '#ffffff' },
  page: { fill: '#e07b00', ink: '#1b1f2a' },
  i_mmap: { fill: '#0f9fae', ink: '#1b1f2a' },
  invalidate_lock: { fill: '#9c5a2e', ink: '#ffffff' },
  named: { fill: '#5b6478', ink: '#ffffff' },
};

export const LOCK_SWATCHES: readonly Swatch[] = LOCK_KINDS.map((k) => LOCKS[k]);

/** What the legend calls each lock kind (5.x names; the bars' own labels use the variant's era). */
export const LOCK_NAMES: Record<LockKind, string> = {
  glock: 'glock',
  mmap_sem: 'mmap_lock / mmap_sem',
  i_rwsem: 'i_rwsem / i_mutex',
  page: 'page lock',
  i_mmap: 'i_mmap_rwsem',
  invalidate_lock: 'invalidate_lock',
  named: 'other lock (from a lockdep report)',
};

export const WAIT: Swatch = { fill: '#d42a2a', ink: '#ffffff' };

/** Fault frames by nesting level: deeper frames darker, so nesting reads at a glance. */
export const FAULT_LEVELS: readonly Swatch[] = [
  { fill: '#f6d372', ink: '#1b1f2a' },
  { fill: '#eab53b', ink: '#1b1f2a' },
  { fill: '#c98a12', ink: '#1b1f2a' },
  { fill: '#a16a06', ink: '#ffffff' },
];

export function faultSwatch(level: number): Swatch {
  return FAULT_LEVELS[Math.min(level, FAULT_LEVELS.length - 1)] ?? { fill: '#eab53b', ink: '#1b1f2a' };
}

/** Steps by frame depth: the task frame lightest, deep fault frames darkest. */
export const DEPTHS: readonly string[] = ['#c9ced8', '#a5adbd', '#8590a5', '#67738b', '#4d5870', '#384259'];

export function depthColour(depth: number): string {
  return DEPTHS[Math.min(depth, DEPTHS.length - 1)] ?? '#8590a5';
}

const PATHS: Record<PathKind, string> = {
  'copy-short': '#d42a2a',
  'glock-dropped': '#6d3fc0',
  'fault-in': '#e07b00',
  'glock-reacquired': '#6d3fc0',
  'copy-done': '#1e8a4c',
};
export const PATH_COLOURS: readonly string[] = PATH_KINDS.map((k) => PATHS[k]);
export const PATH_LINE = '#1b1f2a';

/** Short names drawn next to path points when there is room. */
export const PATH_SHORT: readonly string[] = ['-EFAULT', 'dq', 'fault-in', 'nq', 'copy ok'];

const MARKERS: Record<MarkerKind, string> = {
  bug: '#8b0000',
  deadlock: '#d42a2a',
  sigbus: '#b0158f',
  'use-after-free': '#111111',
  livelock: '#b35900',
  'invariant-violation': '#555555',
};
export const MARKER_COLOURS: readonly string[] = MARKER_KINDS.map((k) => MARKERS[k]);

export const FAULT_NAMES: readonly string[] = FAULT_MACHINES;

const EVENTS: Record<(typeof EVENT_KINDS)[number], string> = {
  VM_FAULT_RETRY: '#0b6e8a',
  GLR_TRYFAILED: '#4b2a8a',
};
export const EVENT_COLOURS: readonly string[] = EVENT_KINDS.map((k) => EVENTS[k]);

/** Text on the page's light background (timeline.css). */
export const INK = '#1b1f2a';
export const GRID = '#e3e5ea';
export const LANE_RULE = '#c7cbd3';
export const BACKGROUND = '#ffffff';
export const HOVER = 'rgba(37, 99, 235, 0.12)';
