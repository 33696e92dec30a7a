import { lazily } from '../../lambdas/runtime/once';

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
