/**
 * Questions on a real terminal, for main.ts to plug into CliIo.promptLine:
 * plain answers through readline, secrets in raw mode without echo.
 * Takes its streams as arguments (main.ts is the only module that touches process).
 */
import { createInterface } from "node:readline";

export interface TerminalInput extends NodeJS.ReadableStream {
  setRawMode?: (mode: boolean) => unknown;
  isRaw?: boolean;
}

export function terminalPrompt(input: TerminalInput, output: NodeJS.WritableStream): (question: string, options: { readonly secret: boolean }) => Promise<string | null> {
  return (question, options) => (options.secret && input.setRawMode ? readSecret(input, output, question) : readPlain(input, output, question));
}

function readPlain(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    let answered = false;
    rl.on("SIGINT", () => {
      output.write("\n");
      rl.close();
    });
    rl.on("close", () => {
      if (!answered) resolve(null);
    });
    rl.question(`${question} `, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

function readSecret(input: TerminalInput, output: NodeJS.WritableStream, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    output.write(`${question} `);
    const wasRaw = input.isRaw === true;
    input.setRawMode?.(true);
    input.resume();
    let value = "";
    const finish = (result: string | null) => {
      input.off("data", onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write("\n");
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === "\r" || char === "\n" || char === "\u0003" || char === "\u0004") {
          finish(char === "\u0003" || (char === "\u0004" && value === "") ? null : value);
          return;
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    input.on("data", onData);
  });
}
