import { lazily, once, onceBy } from '../../lambdas/runtime/once';

class Counter {
  calls = 0;
  async add(n: number): Promise<number> {
    this.calls += n;
    return this.calls;
  }
}

describe('an adapter built on first use', () => {
  it('is not built until a method is called, then built once for every call', async () => {
    let builds = 0;
    const counter = lazily(async () => {
      builds += 1;
      return new Counter();
    });
    expect(builds).toBe(0);
    expect(await Promise.all([counter.add(1), counter.add(2)])).toEqual([1, 3]);
    expect(await counter.add(3)).toBe(6);
    expect(builds).toBe(1);
  });

  it('is built again after a failed build, and the failure reaches the caller', async () => {
    let attempt = 0;
    const counter = lazily(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('secret not readable yet');
      return new Counter();
    });
    await expect(counter.add(1)).rejects.toThrow('secret not readable yet');
    expect(await counter.add(1)).toBe(1);
  });

  it('can be awaited and returned without being built (it is not a thenable)', async () => {
    let builds = 0;
    const counter = lazily(async () => {
      builds += 1;
      return new Counter();
    });
    expect(await Promise.resolve(counter)).toBe(counter);
    expect(builds).toBe(0);
  });

  it('refuses a member that is not a method', async () => {
    const counter = lazily(async () => new Counter());
    await expect((counter as unknown as { calls: () => Promise<number> }).calls()).rejects.toThrow(TypeError);
  });
});

/** A build the test finishes by hand, so concurrent callers can be seen waiting on one build. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('once', () => {
  it('keeps a success: later callers get the same value without building again', async () => {
    let builds = 0;
    const value = once(async () => ({ n: ++builds }));
    const first = await value.get();
    expect(await value.get()).toBe(first);
    expect(builds).toBe(1);
  });

  it('shares one build between callers who ask while it runs', async () => {
    const pending = deferred<string>();
    let builds = 0;
    const value = once(() => {
      builds += 1;
      return pending.promise;
    });
    const both = Promise.all([value.get(), value.get()]);
    pending.resolve('built');
    expect(await both).toEqual(['built', 'built']);
    expect(builds).toBe(1);
  });

  it('forgets a failure: every waiting caller sees it, the next caller builds again', async () => {
    const failing = deferred<string>();
    const builds: Array<Promise<string>> = [failing.promise, Promise.resolve('second')];
    const value = once(() => builds.shift() as Promise<string>);
    const waiting = [value.get(), value.get()];
    failing.reject(new Error('secret not readable yet'));
    for (const caller of waiting) await expect(caller).rejects.toThrow('secret not readable yet');
    expect(await value.get()).toBe('second');
  });

  it('builds afresh after forget(), and a late failure of the forgotten build does not drop the new one', async () => {
    const old = deferred<string>();
    const builds: Array<Promise<string>> = [old.promise, Promise.resolve('new')];
    const value = once(() => builds.shift() as Promise<string>);
    const stale = value.get();
    value.forget();
    expect(await value.get()).toBe('new');
    old.reject(new Error('late'));
    await expect(stale).rejects.toThrow('late');
    expect(await value.get()).toBe('new');
    expect(builds).toHaveLength(0);
  });
});

describe('onceBy', () => {
  it('builds each key once, and forgets only the key whose build failed', async () => {
    const made: string[] = [];
    let failNext = true;
    const clients = onceBy(async (cluster: string) => {
      made.push(cluster);
      if (cluster === 'b' && failNext) {
        failNext = false;
        throw new Error('unreachable');
      }
      return { cluster };
    });
    const a = await clients.get('a');
    await expect(clients.get('b')).rejects.toThrow('unreachable');
    expect(await clients.get('a')).toBe(a);
    expect(await clients.get('b')).toEqual({ cluster: 'b' });
    expect(await Promise.all([clients.get('b'), clients.get('b')])).toHaveLength(2);
    expect(made).toEqual(['a', 'b', 'b']);
    clients.forget('a');
    await clients.get('a');
    expect(made).toEqual(['a', 'b', 'b', 'a']);
  });
});
