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
}

export type OutputFormat = "human" | "json" | "yaml";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["human", "json", "yaml"];
