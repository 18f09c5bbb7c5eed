/** An error the CLI reports as one lowercase line, with optional suggestions. Exit 1, or 2 for usage errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly suggestions: readonly string[] = [],
    /** Lines printed under the message (e.g. one per invalid configuration key). */
    readonly details: readonly string[] = [],
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
  if (error.details.length > 0) text += `${error.details.map((d) => `  ${d}`).join("\n")}\n`;
  if (error.suggestions.length > 0) {
    text += `\nSuggestions:\n${error.suggestions.map((s) => `    ${s}`).join("\n")}\n`;
  }
  return text;
}

/** "Kafka cluster …" → "kafka cluster …", but "API key …" stays (an acronym). */
export function lowerFirst(text: string): string {
  if (/^[A-Z]{2}/.test(text)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}
