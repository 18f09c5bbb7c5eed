/** An error the CLI reports as one lowercase line, with optional suggestions. Exit 1, or 2 for usage errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly suggestions: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

export function usageError(message: string, help: string): CliError {
  return new CliError(message, 2, [`Run "${help} --help" for usage.`]);
}

/** The text the entry point writes to stderr for an error. */
export function formatCliError(error: CliError): string {
  let text = `Error: ${error.message}\n`;
  if (error.suggestions.length > 0) {
    text += `\nSuggestions:\n${error.suggestions.map((s) => `    ${s}`).join("\n")}\n`;
  }
  return text;
}
