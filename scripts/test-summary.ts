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

const file = process.argv[2] ?? "test-artifacts/vitest.json";
const report = JSON.parse(readFileSync(file, "utf8")) as VitestJsonReport;
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0 || failed > 0) process.exitCode = 1;
