/**
 * Work that runs elsewhere in AWS (the workflow's tasks, the reconciler) waits locally for the Slack
 * answers being written: not at all when there are none, until the last one is out when there are,
 * and never longer than Slack itself waits. Answers are real node http responses over loopback.
 */
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswersInFlight } from '../../local/answers-first';

/** A server whose answers stay open until the test ends them, each tracked by `answers`. */
async function holdingServer(answers: AnswersInFlight) {
  const open: ServerResponse[] = [];
  const arrived: (() => void)[] = [];
  const server = createServer((_req, res) => {
    answers.track(res);
    open.push(res);
    arrived.shift()?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return {
    open,
    /** Sends a request and resolves once the server holds it, with the promise of its answer. */
    async send(): Promise<{ answered: Promise<number> }> {
      const held = new Promise<void>((resolve) => arrived.push(resolve));
      const response = new Promise<number>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end('x');
      });
      await held;
      return { answered: response };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether `promise` has settled by the time the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('with no answer in flight the work runs at once', async () => {
  const answers = new AnswersInFlight();
  const ran: string[] = [];
  await answers.after(async () => ran.push('task'))();
  expect(ran).toEqual(['task']);
});

test('work waits for every answer being written, then runs once, with its arguments', async () => {
  const answers = new AnswersInFlight();
  const server = await holdingServer(answers);
  try {
    const { answered: first } = await server.send();
    const { answered: second } = await server.send();
    const calls: number[] = [];
    const task = answers.after(async (n: number) => {
      calls.push(n);
      return n * 2;
    });
    const result = task(21);
    expect(await settled(result)).toBe(false);
    server.open[0]?.end('');
    await first;
    expect(await settled(result)).toBe(false);
    server.open[1]?.end('');
    await second;
    await expect(result).resolves.toBe(42);
    expect(calls).toEqual([21]);
  } finally {
    await server.close();
  }
});

test('an answer whose connection drops counts as out', async () => {
  const answers = new AnswersInFlight();
  const server = await holdingServer(answers);
  try {
    const { answered: response } = await server.send();
    const waiting = answers.idle();
    expect(await settled(waiting)).toBe(false);
    server.open[0]?.destroy();
    await expect(response).rejects.toThrow();
    await expect(waiting).resolves.toBeUndefined();
  } finally {
    await server.close();
  }
});

test('work never waits longer than the bound, even for an answer that never ends', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const answers = new AnswersInFlight();
  const server = await holdingServer(answers);
  try {
    const { answered: response } = await server.send();
    const waiting = answers.idle(3000);
    jest.advanceTimersByTime(2999);
    expect(await settled(waiting)).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(waiting).resolves.toBeUndefined();
    server.open[0]?.end('');
    await response;
  } finally {
    jest.useRealTimers();
    await server.close();
  }
});
