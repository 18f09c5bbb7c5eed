// Prints vitest's JSON report as one plain closing line ("Tests: N passed, N failed, N skipped")
// so any log reader can tell how many tests ran. Exits 1 when none ran or any failed.
import { readFileSync } from "node:fs";

interface VitestJsonReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numFailedTestSuites?: number;
  numPendingTests?: number;
  numTodoTests?: number;
}

// Several reports (CI's Node 20 and Node 24 runs) add up to one line.
const files = process.argv.length > 2 ? process.argv.slice(2) : ["test-artifacts/vitest.json"];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJsonReport;
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0 || failed > 0) process.exitCode = 1;
