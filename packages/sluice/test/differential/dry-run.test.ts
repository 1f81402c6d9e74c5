import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { dryRun } from './dry-run.js';

it("dry run: every .js/.mjs/.cjs file of the repo's node_modules parses, rewrites to valid code, keeps its lines", () => {
  const report = dryRun(path.join(__dirname, '../../../../../node_modules'));
  console.log(
    `dry run: ${report.files} files, ${(report.bytes / 1e6).toFixed(1)} MB, ${report.parsed} parsed, ` +
      `${report.rewritten} rewritten, ${report.unchanged} unchanged, ${report.fallbacks.length} fall back, ` +
      `${report.notJavaScript.length} rejected by node --check too (${report.notJavaScript.map((f) => f.file).join(', ')})`,
  );
  assert.ok(report.files > 1000, 'the tree was found');
  assert.deepEqual(report.fallbacks, []);
  assert.deepEqual(report.invalidOutput, []);
  assert.equal(report.parsed + report.notJavaScript.length, report.files);
});
