/**
 * Prints one closing line, `jest: N passed, N failed[, N skipped]`, after jest's own summary, so CI logs end
 * with a count any tool can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    process.stdout.write(`${line}${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}

module.exports = SummaryReporter;
