/**
 * Callbacks for the server's shutdown signal, registered and removed in constant time.
 *
 * Every subscription listens for shutdown. An `AbortSignal`'s `addEventListener` walks the
 * listeners it already has (to refuse duplicates), so ten thousand subscriptions on one signal
 * cost fifty million steps to register; here each signal gets one real listener, and the
 * subscriptions' callbacks live in a `Set`.
 */

const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` once when `signal` aborts (at once, synchronously, if it already has). Returns what
 * removes it; calling that after the abort does nothing.
 */
export function onStop(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => {};
  }
  let set = callbacks.get(signal);
  if (!set) {
    const registered = new Set<() => void>();
    set = registered;
    callbacks.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        callbacks.delete(signal);
        for (const callback of registered) callback();
      },
      { once: true },
    );
  }
  const entry = () => fn();
  set.add(entry);
  return () => void set.delete(entry);
}
