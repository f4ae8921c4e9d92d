// Round trips and work units counted twice, by the client's RequestMeter and by the simulator: a
// benchmark whose two counts disagree stops at once and writes no result.
import { countCheck, writeResult } from '../../bench/lib/harness';
import type { SimStats } from '../../bench/sim-process';

const sim = (requests: number, uploads: number, workUnits: number): SimStats => ({ requests, uploads, workUnits, throttled: 0, byRoute: {}, maxInFlightPerMailbox: 0, maxOutlookInFlight: 0 });

describe('countCheck', () => {
  it('counts upload-session requests among the simulator\'s round trips, and keeps the per-user, per-council and per-message sizes', () => {
    expect(countCheck('one surrender', { httpRequests: 654, workUnits: 654 }, sim(600, 54, 654), { users: 1, councils: 1, messages: 300 })).toEqual({
      label: 'one surrender', users: 1, councils: 1, messages: 300, roundTrips: { client: 654, simulator: 654 }, workUnits: { client: 654, simulator: 654 },
    });
  });

  it('throws, naming the run, when the client and the simulator disagree', () => {
    expect(() => countCheck('changeover: 2 councils', { httpRequests: 1636, workUnits: 1636 }, sim(1636, 0, 1640))).toThrow(/changeover: 2 councils: work units 1636 \(client\) vs 1640 \(simulator\)/);
  });
});

describe('writeResult', () => {
  it('refuses counts that disagree before writing anything', () => {
    const counts = [{ label: 'full', users: 1, councils: 1, roundTrips: { client: 10, simulator: 11 }, workUnits: { client: 10, simulator: 10 } }];
    expect(() => writeResult('surrender-throughput', { params: {}, rows: [], targets: [], counts })).toThrow(/no result was written: full: round trips 10 \(client\) vs 11 \(simulator\)/);
  });
});
