// A step's time slice (durable activities must not run long). The first few items of every slice run
// whatever the clock says, so a slice always moves the step on, however short the budget.
export class TimeSlice {
  private started = 0;

  constructor(private readonly deadline: number, private readonly minimum = 4) {}

  /** Before starting an item: true to go ahead, false when the slice is spent. */
  take(): boolean {
    if (this.started < this.minimum || Date.now() <= this.deadline) {
      this.started++;
      return true;
    }
    return false;
  }

  get over(): boolean {
    return this.started >= this.minimum && Date.now() > this.deadline;
  }
}
