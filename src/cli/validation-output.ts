/** How the CLI prints a validation report (`config validate`, `--dry-run`): every error next to its key. */
import type { ValidationReport } from "../domain/connector-validation.js";
import type { OutputFormat } from "./io.js";
import { renderData } from "./output.js";

interface ValidationRow {
  readonly key: string;
  readonly message: string;
}

export function renderValidation(report: ValidationReport, name: string | null, output: OutputFormat): string {
  const errors: ValidationRow[] = report.configs.flatMap((c) => c.value.errors.map((message) => ({ key: c.value.name, message })));
  const warnings: ValidationRow[] = report.warnings.map((w) => ({ key: w.key ?? "", message: w.message }));
  const summary = { name, plugin: report.name, valid: report.error_count === 0, error_count: report.error_count, errors, warnings };
  if (output !== "human") return renderData(summary, output);
  const label = name === null ? `the configuration (${report.name || "no plugin"})` : `connector "${name}" (${report.name || "no plugin"})`;
  let text = report.error_count === 0
    ? `Configuration of ${label} is valid.\n`
    : `Configuration of ${label} is invalid: ${report.error_count} error${report.error_count === 1 ? "" : "s"}.\n\n${errors.map((e) => `  ${e.key}: ${e.message}`).join("\n")}\n`;
  if (warnings.length > 0) text += `\nWarnings:\n${warnings.map((w) => `  ${w.key}: ${w.message}`).join("\n")}\n`;
  return text;
}
