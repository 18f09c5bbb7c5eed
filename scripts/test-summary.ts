// Prints vitest's JSON report as one plain closing line ("Tests: N passed, N failed, N skipped, N total")
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
let brokenFiles = 0;
for (const file of files) {
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJsonReport;
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  // A failed suite (a describe block or file) is counted apart: one failed test also fails its describe and its file.
  if ((report.numFailedTests ?? 0) === 0) brokenFiles += report.numFailedTestSuites ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped, ${passed + failed + skipped} total`);
if (brokenFiles > 0) console.log(`Test suites that failed without a failed test (an import or hook error): ${brokenFiles}`);
if (passed === 0 || failed > 0 || brokenFiles > 0) process.exitCode = 1;
