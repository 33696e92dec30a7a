/**
 * Things built once and kept: a client, the runtime, an adapter. A failed build (a secret not
 * readable yet, a cluster briefly unreachable) is not kept, so the next caller builds again;
 * callers who ask while a build runs share it.
 */

/** A value built on first `get()` and kept; `forget()` drops it so the next `get()` builds again. */
export interface Once<T> {
  /** The value, built now if it is not built or being built. */
  get(): Promise<T>;
  /** Drops the value (or the build under way), so the next `get()` builds afresh. */
  forget(): void;
}

/** `make` run on the first `get()` and its result kept; a rejected build is forgotten, not kept. */
export function once<T>(make: () => Promise<T>): Once<T> {
  let built: Promise<T> | undefined;
  return {
    get() {
      if (!built) {
        const building = make();
        built = building;
        building.catch(() => {
          // Only this build: a newer one (after forget()) stays.
          if (built === building) built = undefined;
        });
      }
      return built;
    },
    forget() {
      built = undefined;
    },
  };
}

/** One `once` per key (a client per cluster): `get(key)` builds that key's value on first use. */
export interface OnceBy<K, T> {
  /** The value of `key`, built now if it is not built or being built. */
  get(key: K): Promise<T>;
  /** Drops the value of `key`. */
  forget(key: K): void;
}

/** `make(key)` run on the first `get(key)` of each key and kept; a rejected build of a key is forgotten. */
export function onceBy<K, T>(make: (key: K) => Promise<T>): OnceBy<K, T> {
  const byKey = new Map<K, Once<T>>();
  const entry = (key: K): Once<T> => {
    let value = byKey.get(key);
    if (!value) {
      value = once(() => make(key));
      byKey.set(key, value);
    }
    return value;
  };
  return { get: (key) => entry(key).get(), forget: (key) => byKey.get(key)?.forget() };
}

/**
 * An object built on its first method call, for objects whose methods all return promises. `build`
 * runs once (again after it failed: a secret not readable yet); every call waits for it.
 */
export function lazily<T extends object>(build: () => Promise<T>): T {
  const target = once(build);
  const methods = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null) as T, {
    get(_empty, name) {
      // Never a thenable, so awaiting or returning the object itself does not build it.
      if (name === 'then' || typeof name === 'symbol') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (...args: unknown[]): Promise<unknown> => {
          const object = await target.get();
          const member: unknown = Reflect.get(object, name);
          if (typeof member !== 'function') throw new TypeError(`${String(name)} is not a method`);
          return Reflect.apply(member, object, args);
        };
        methods.set(name, method);
      }
      return method;
    },
  });
}
