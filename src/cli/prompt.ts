/**
 * Questions to the user. On a terminal they go through io.promptLine (a
 * secret is not echoed); otherwise the answers are the lines of stdin, read
 * once, so scripts can pipe them (`printf 'KEY\nSECRET\n' | vaultwire login`).
 */
import { CliError } from "./cli-error.js";
import type { CliIo } from "./io.js";

export interface Prompter {
  /** The answer (trimmed), or null when there is none (end of input, Ctrl+C). */
  ask(question: string, options?: { readonly secret?: boolean }): Promise<string | null>;
}

export function createPrompter(io: CliIo): Prompter {
  let lines: string[] | undefined;
  return {
    async ask(question, options = {}) {
      const secret = options.secret === true;
      if (io.promptLine) {
        const answer = await io.promptLine(question, { secret });
        return answer === null ? null : answer.trim();
      }
      io.stderr(`${question}\n`);
      lines ??= (await io.readStdin()).split(/\r?\n/);
      const line = lines.shift();
      return line === undefined || (line === "" && lines.length === 0) ? null : line.trim();
    },
  };
}

/**
 * Asks a yes/no question; re-asks (up to three times) on another answer.
 * No answer at all is an error that suggests --force.
 */
export async function confirm(prompter: Prompter, question: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await prompter.ask(`${question} (y/n)`);
    if (answer === null) throw new CliError("no answer to the confirmation question", 1, ["Answer y or n, or pass --force to skip the question."]);
    const normalized = answer.toLowerCase();
    if (normalized === "y" || normalized === "yes") return true;
    if (normalized === "n" || normalized === "no") return false;
  }
  return false;
}

/** Asks for a value the command needs; no answer is an error naming the flag. */
export async function askRequired(prompter: Prompter, question: string, flag: string, options: { readonly secret?: boolean } = {}): Promise<string> {
  const answer = await prompter.ask(question, options);
  if (answer === null || answer === "") throw new CliError(`no ${flag.replace(/^--/, "").replace(/-/g, " ")} given`, 1, [`Pass ${flag}, or type it when asked.`]);
  return answer;
}
