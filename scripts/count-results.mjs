// Prints "N passed, N failed" from vitest's JSON report (the line CI's landing check reads).
// A failed type-check (second argument non-zero) counts as one more failure. Exits 1 when
// anything failed or no test ran.
import { readFileSync } from 'node:fs';

const [file, typecheckStatus = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A file that fails to load fails no test but fails its suite: count it.
  if (report.success === false && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0);
} catch (e) {
  console.log(`no vitest report at ${file}: ${e instanceof Error ? e.message : e}`);
  failed += 1;
}
if (typecheckStatus !== '0') failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
