/**
 * Adapters built on first use. A function loads the modules of a client (an AWS SDK client and
 * what wraps it) only when a request calls it: a Slack request that opens the form never loads
 * DynamoDB or Step Functions, a task that never completes its own token never loads Step Functions.
 */

/**
 * An object built on its first method call, for objects whose methods all return promises. `build`
 * runs once (again after it failed: a secret not readable yet); every call waits for it.
 */
export function lazily<T extends object>(build: () => Promise<T>): T {
  let built: Promise<T> | undefined;
  const target = (): Promise<T> => {
    if (!built) {
      const building = build();
      building.catch(() => {
        if (built === building) built = undefined;
      });
      built = building;
    }
    return built;
  };
  const methods = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null) as T, {
    get(_empty, name) {
      // Never a thenable, so awaiting or returning the object itself does not build it.
      if (name === 'then' || typeof name === 'symbol') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (...args: unknown[]): Promise<unknown> => {
          const object = await target();
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
