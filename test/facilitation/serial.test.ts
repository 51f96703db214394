import { expect } from 'chai';
import { Coalescer, KeyedQueue, SerialQueue } from '../../src/facilitation/serial';

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => (error as Error).message);
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serial helpers', () => {
  describe('SerialQueue', () => {
    it('runs tasks one at a time in order, and a failure does not stop the next', async () => {
      const queue = new SerialQueue();
      const seen: string[] = [];
      const first = queue.run(async () => {
        await tick();
        seen.push('first');
        throw new Error('boom');
      });
      const second = queue.run(async () => seen.push('second'));
      expect(await rejection(first)).to.equal('boom');
      await second;
      expect(seen).to.deep.equal(['first', 'second']);
    });
  });

  describe('KeyedQueue', () => {
    it('never runs two tasks of the same key at once, and keeps their order', async () => {
      const queue = new KeyedQueue(4);
      const log: string[] = [];
      let running = 0;
      const task = (name: string) => async () => {
        running += 1;
        expect(running).to.equal(1);
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        running -= 1;
      };
      await Promise.all([queue.run('k', task('a')), queue.run('k', task('b')), queue.run('k', task('c'))]);
      expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    });

    it('runs different keys side by side but never more than the limit', async () => {
      const queue = new KeyedQueue(3);
      let running = 0;
      let peak = 0;
      const task = async () => {
        running += 1;
        peak = Math.max(peak, running);
        await tick(10);
        running -= 1;
      };
      await Promise.all(Array.from({ length: 12 }, (_, i) => queue.run(`key-${i}`, task)));
      expect(peak).to.equal(3);
      expect(running).to.equal(0);
    });

    it('keeps going after a failed task and idle() waits for everything queued', async () => {
      const queue = new KeyedQueue(1);
      let done = 0;
      const failing = queue.run('a', async () => {
        throw new Error('nope');
      });
      void queue.run('b', async () => {
        await tick();
        done += 1;
      });
      expect(await rejection(failing)).to.equal('nope');
      await queue.idle();
      expect(done).to.equal(1);
    });

    it('refuses a limit below one', () => {
      expect(() => new KeyedQueue(0)).to.throw(/at least 1/);
    });
  });

  describe('Coalescer', () => {
    it('collapses triggers during a run into one follow-up run', async () => {
      let runs = 0;
      const coalescer = new Coalescer(async () => {
        runs += 1;
        await tick();
      });
      const first = coalescer.trigger();
      void coalescer.trigger();
      void coalescer.trigger();
      await first;
      await coalescer.idle();
      expect(runs).to.equal(2);
    });
  });
});
