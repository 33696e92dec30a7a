/**
 * Slack's answers before the work that in AWS runs on other machines. Locally the workflow's tasks and
 * the reconciler share one process with the Slack endpoint, so a task started by the request being
 * answered (validate after a submit, the grant after an Approve) would take turns with that answer;
 * in AWS it runs in a function of its own. Such work waits here until no answer is being written, a
 * few milliseconds at most, as a Lambda invocation waits for the service to start it. Nothing is
 * skipped or reordered within the workflow: each task still runs, once, in the order the state
 * machine calls it.
 */
import type { ServerResponse } from 'node:http';

/** Longest any work waits for the answers in flight: Slack itself gives up on an answer after 3 s. */
const MAX_WAIT_MS = 3000;

/** Counts the Slack answers being written; `idle` resolves once there are none. */
export class AnswersInFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Counts `res` until it is sent or its connection closes. */
  track(res: ServerResponse): void {
    this.count += 1;
    res.once('close', () => {
      this.count -= 1;
      if (this.count > 0) return;
      const waiting = this.waiters;
      this.waiters = [];
      for (const resolve of waiting) resolve();
    });
  }

  /** Resolves once no answer is being written (at once when none is), or after `maxMs` regardless. */
  idle(maxMs = MAX_WAIT_MS): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** `work` made to wait for the answers in flight before each call. */
  after<A extends unknown[], R>(work: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      await this.idle();
      return work(...args);
    };
  }
}
