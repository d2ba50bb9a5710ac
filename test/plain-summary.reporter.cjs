/** Prints one plain closing line (`jest: N passed, N failed, N skipped`) that any CI can read. */
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const suitesFailed = results.numFailedTestSuites + (results.numRuntimeErrorTestSuites || 0);
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped` +
        (suitesFailed > 0 ? `\n(${suitesFailed} test suite(s) failed to run or failed)\n` : '\n'),
    );
  }
}
module.exports = PlainSummaryReporter;
