// Surrenders at once share one memory budget for downloaded messages awaiting upload, so a changeover's
// memory does not grow with --concurrency; a budget the caller sets is kept.
import { CHANGEOVER_COPY_MEMORY_BYTES, changeoverTuning } from '../../jobs/changeover';
import { DEFAULT_TUNING } from '../../offboarding/types';

const MiB = 1024 * 1024;

describe('the changeover\'s copy memory', () => {
  it('is shared out between the surrenders at once, so the total stays within the changeover\'s budget', () => {
    for (const concurrency of [1, 4, 8, 16]) {
      const each = changeoverTuning(concurrency).copyMemoryBytes!;
      expect(each * concurrency).toBeLessThanOrEqual(CHANGEOVER_COPY_MEMORY_BYTES);
    }
    // Never more than a surrender alone would hold.
    expect(changeoverTuning(1).copyMemoryBytes).toBe(DEFAULT_TUNING.copyMemoryBytes);
    expect(changeoverTuning(8).copyMemoryBytes).toBeLessThanOrEqual(DEFAULT_TUNING.copyMemoryBytes);
  });

  it('never leaves a surrender less than 8 MiB (a message up to the 4 MiB simple-upload limit fits twice)', () => {
    expect(changeoverTuning(64).copyMemoryBytes).toBe(8 * MiB);
  });

  it('keeps a budget and other tuning the caller set', () => {
    expect(changeoverTuning(8, { copyMemoryBytes: 64 * MiB, uploadChunkBytes: 327_680 })).toEqual({ copyMemoryBytes: 64 * MiB, uploadChunkBytes: 327_680 });
  });
});
