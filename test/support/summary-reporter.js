/**
 * Ends the run with one plain line, "Tests: N passed, N failed, N skipped", that any CI reads
 * the same way, after jest's own summary (on stderr, where jest writes its summary, so it stays last).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stderr.write(
      `\nTests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;
