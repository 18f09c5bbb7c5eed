/** The little IO the commands need, so tests can run them in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** All of stdin as text. */
  readonly readStdin: () => Promise<string>;
  /** Resolves with the signal's name once the user asks a foreground command (SIGINT/SIGTERM) to stop. */
  readonly waitForShutdown: () => Promise<string>;
  /** True when stdout is a terminal: progress is then drawn as a spinner (one line per change otherwise). */
  readonly stdoutIsTTY?: boolean;
  /**
   * Asks one question on the terminal and resolves with the answer, or null
   * when the user gives none (Ctrl+C, Ctrl+D). `secret` hides what is typed.
   * Absent when stdin is not a terminal: answers are then read as lines of stdin.
   */
  readonly promptLine?: (question: string, options: { readonly secret: boolean }) => Promise<string | null>;
}

export type OutputFormat = "human" | "json" | "yaml";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["human", "json", "yaml"];
