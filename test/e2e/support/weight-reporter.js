const fs = require('node:fs');
const path = require('node:path');

/** Prints the page-weight table (written by weight.e2e.ts) as the very end of the run. */
class WeightReporter {
  constructor(globalConfig) {
    this.file = path.join(globalConfig.rootDir, 'test-output', 'weight.txt');
  }

  onRunComplete() {
    if (fs.existsSync(this.file)) process.stderr.write(fs.readFileSync(this.file, 'utf8'));
  }
}

module.exports = WeightReporter;
