/**
 * Running a step against only its own task's address space, to prove it
 * touches nothing another task can see. The partial-order reduction in
 * `explore/reduce.ts` rests on this: a step that read and wrote nothing but
 * its task, its registers and its own process's mm commutes with every step
 * of every other task that cannot touch that mm.
 *
 * The proof is by construction, not by annotation: the step runs on a
 * kernel whose other parts throw when read. Inode names and the inode count
 * stay readable: they never change after setup, and step labels name files.
 * A step that throws here is simply not local; it is run again on the real
 * kernel.
 */
import type { KernelState } from '../kernel/state.ts';

/** Thrown when a local run reads outside its mm; never escapes `runLocal`'s caller. */
const TOUCHED = Symbol('touched shared kernel state');

const poisonHandler: ProxyHandler<object> = {
  get: () => {
    throw TOUCHED;
  },
  has: () => {
    throw TOUCHED;
  },
  ownKeys: () => {
    throw TOUCHED;
  },
  getOwnPropertyDescriptor: () => {
    throw TOUCHED;
  },
  set: () => {
    throw TOUCHED;
  },
};

const POISON: readonly never[] = new Proxy([], poisonHandler) as readonly never[];

/** An inode that only tells its name. */
function nameOnly(name: string): object {
  return new Proxy(
    { name },
    {
      ...poisonHandler,
      get: (_target, key) => {
        if (key === 'name') return name;
        throw TOUCHED;
      },
    },
  );
}

/** Per kernel inode table: the name-only inodes, made once. */
const namedInodes = new WeakMap<KernelState['inodes'], KernelState['inodes']>();

function inodeNames(inodes: KernelState['inodes']): KernelState['inodes'] {
  let view = namedInodes.get(inodes);
  if (view === undefined) {
    const names: readonly object[] = inodes.map((inode) => nameOnly(inode.name));
    view = new Proxy(names, {
      ...poisonHandler,
      get: (_target, key) => {
        if (key === 'length') return names.length;
        if (typeof key === 'string' && /^\d+$/.test(key)) return names[Number(key)];
        throw TOUCHED;
      },
    }) as unknown as KernelState['inodes'];
    namedInodes.set(inodes, view);
  }
  return view;
}

export interface LocalView {
  readonly kernel: KernelState;
  /** The real kernel with the step's changes to its own mm, or null if it changed anything else. */
  readonly merge: (result: KernelState | undefined) => KernelState | null;
}

/** The kernel as a step of a task whose process owns mm `mm` may see it when local. */
export function localView(kernel: KernelState, mm: number): LocalView {
  const own = kernel.mms[mm];
  // Other processes' mms are poisoned one by one, so `mms.slice()` in
  // kernel/mm.ts (which copies references without reading them) still works.
  const mms = kernel.mms.map((m, i) => (i === mm ? m : (POISON as unknown as typeof m)));
  const view: KernelState = { inodes: inodeNames(kernel.inodes), pages: POISON, blocks: POISON, glocks: POISON, mms, nodes: kernel.nodes, ...(kernel.named !== undefined ? { named: POISON } : {}) };
  return {
    kernel: view,
    merge: (result) => {
      if (result === undefined || result === view) return kernel;
      if (result.inodes !== view.inodes || result.pages !== POISON || result.blocks !== POISON || result.glocks !== POISON || result.nodes !== kernel.nodes || result.named !== view.named) return null;
      if (result.mms.length !== mms.length) return null;
      for (let i = 0; i < mms.length; i++) if (i !== mm && result.mms[i] !== mms[i]) return null;
      const changed = result.mms[mm];
      if (changed === own) return kernel;
      if (changed === undefined) return null;
      const merged = kernel.mms.slice();
      merged[mm] = changed;
      return { ...kernel, mms: merged };
    },
  };
}

/** Runs `body`; null if it read shared kernel state. */
export function runLocal<T>(body: () => T): T | null {
  try {
    return body();
  } catch (e) {
    if (e === TOUCHED) return null;
    throw e;
  }
}
