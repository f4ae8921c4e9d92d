// Longest suites first, so the two workers finish together instead of one running a 45 s suite alone at
// the end. Jest's own sequencer does this only from timings cached by an earlier run; on a fresh clone
// (CI) it orders by file size, and the slowest suite (demo.test.ts) is one of the smallest files.
// Here a suite's duration is Jest's cached timing if there is one, else the CI figure in
// slow-suites.json; suites with neither follow, biggest file first. Failed suites still go first.
const { default: Sequencer } = require('@jest/test-sequencer');
const path = require('node:path');
const { seconds } = require('./slow-suites.json');

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    const known = (t) => {
      const cached = this.time(t);
      if (cached != null) return cached;
      const listed = seconds[path.relative(t.context.config.rootDir, t.path).split(path.sep).join('/')];
      return listed == null ? undefined : listed * 1000;
    };
    for (const t of tests) t.duration = known(t);
    return [...tests].sort((a, b) => {
      const failed = Number(this.hasFailed(b)) - Number(this.hasFailed(a));
      if (failed !== 0) return failed;
      if ((a.duration == null) !== (b.duration == null)) return a.duration == null ? 1 : -1;
      if (a.duration != null) return b.duration - a.duration;
      return size(b) - size(a);
    });
  }
}

module.exports = SlowFirstSequencer;
