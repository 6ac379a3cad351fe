/**
 * The store reaches components through context, so each test or page builds
 * its own. Components select narrowly: a selector returns a primitive or a
 * stable reference from the store, and derived arrays go through useShallow.
 */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createFaultlineStore, type FaultlineStore, type FaultlineStoreApi, type StoreOptions } from '../store/faultline.ts';

const StoreContext = createContext<FaultlineStoreApi | null>(null);

export function FaultlineProvider({ children, options, store }: { children: ReactNode; options?: StoreOptions; store?: FaultlineStoreApi }) {
  const [own] = useState(() => store ?? createFaultlineStore(options));
  return <StoreContext.Provider value={own}>{children}</StoreContext.Provider>;
}

export function useFaultlineStore(): FaultlineStoreApi {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useFaultline needs a <FaultlineProvider> above it');
  return store;
}

export function useFaultline<T>(selector: (state: FaultlineStore) => T): T {
  return useStore(useFaultlineStore(), selector);
}

/** The system state at the cursor. */
export function useCurrentState() {
  return useFaultline((s) => s.states[s.cursor] ?? s.states[0]);
}
