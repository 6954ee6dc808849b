import { StorageFaultError } from '../shared/errors/storage-fault.js';

/**
 * The first fault of the machine (disk full, damaged file, I/O) met by anything a local run uses. The
 * processor records a failed write as a failed chunk and carries on, which on a full disk fails every
 * chunk after it, one by one; a run stops instead, at the first one, and says what to do.
 */
export interface StorageWatch {
  /** The first fault seen, if any. */
  readonly fault: StorageFaultError | undefined;
  /** Aborted at the first fault. */
  readonly signal: AbortSignal;
  /** The same object, whose methods report the StorageFaultErrors they throw or reject with. */
  watch<T extends object>(target: T): T;
}

export function createStorageWatch(): StorageWatch {
  const controller = new AbortController();
  let first: StorageFaultError | undefined;
  const seen = (error: unknown) => {
    if (first || !(error instanceof StorageFaultError)) return;
    first = error;
    controller.abort(error);
  };
  return {
    get fault() {
      return first;
    },
    signal: controller.signal,
    watch<T extends object>(target: T): T {
      return new Proxy(target, {
        get(object, property) {
          const value: unknown = Reflect.get(object, property, object);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            let result: unknown;
            try {
              result = (value as (...a: unknown[]) => unknown).apply(object, args);
            } catch (error) {
              seen(error);
              throw error;
            }
            if (result instanceof Promise) {
              return result.catch((error: unknown) => {
                seen(error);
                throw error;
              });
            }
            return result;
          };
        },
      });
    },
  };
}
