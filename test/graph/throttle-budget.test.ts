// A 429 says "wait", not "failed": throttled attempts have their own budget, so a run of 429s longer
// than maxRetries is still waited out, while 503s stop at maxRetries and 429s stop at their own budget.
import { RetryLoop } from '../../graph/retry';
import { SharedThrottle } from '../../graph/throttle';

const loop = () => new RetryLoop(new SharedThrottle(), { maxRetries: 2, maxThrottleRetries: 6, baseDelayMs: 1, maxDelayMs: 2 });
const answers = (statuses: number[]) => {
  let i = 0;
  return async () => ({ status: statuses[Math.min(i++, statuses.length - 1)] });
};
const statusOf = (r: { status: number }) => ({ status: r.status, retryAfter: '0' });

describe('the retry budget', () => {
  it('waits out five 429s in a row (more than maxRetries) and returns the answer', async () => {
    expect(await loop().run(answers([429, 429, 429, 429, 429, 200]), { statusOf })).toEqual({ status: 200 });
  });

  it('a 429 between failures does not spend the failure budget', async () => {
    expect(await loop().run(answers([503, 429, 429, 503, 200]), { statusOf })).toEqual({ status: 200 });
  });

  it('stops after maxRetries failures, and after maxThrottleRetries 429s', async () => {
    expect(await loop().run(answers([503, 503, 503, 200]), { statusOf })).toEqual({ status: 503 });
    expect(await loop().run(answers([429, 429, 429, 429, 429, 429, 429, 200]), { statusOf })).toEqual({ status: 429 });
  });
});
