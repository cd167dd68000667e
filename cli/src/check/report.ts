// Human-readable output of the determinism check.

import { style } from '../output';
import type { CheckReport } from './diagnostic';

export function printCheckReport(report: CheckReport): void {
  for (const d of report.diagnostics) {
    const severity = d.severity === 'error' ? style.red('error  ') : style.yellow('warning');
    console.log(`${style.bold(`${d.file}:${d.line}:${d.column}`)}  ${severity}  ${d.message}  ${style.dim(d.rule)}`);
    console.log(style.dim(`    hint: ${d.hint}`));
  }
  const scanned = `${report.files.length} file${report.files.length === 1 ? '' : 's'}`;
  if (report.diagnostics.length === 0) console.log(`${style.green('✔')} No determinism hazards in ${scanned}.`);
  else {
    const summary = `${report.errorCount} error${report.errorCount === 1 ? '' : 's'}, ${report.warningCount} warning${report.warningCount === 1 ? '' : 's'} in ${scanned}`;
    console.log(`\n${report.errorCount > 0 ? style.red('✖') : style.yellow('!')} ${summary}.`);
  }
}
