/** Reading a connector config file (`--config-file`): `{"name", "config"}` or a flat map of strings. */
import { parseConnectorConfigDocument, type ConnectorConfigDocument } from "../domain/connector-config.js";
import { parseJsonText } from "../domain/json-text.js";
import { CliError } from "./cli-error.js";
import type { CliIo } from "./io.js";

export const CONFIG_FILE_SHAPE = "A config file is {\"name\": \"...\", \"config\": {\"key\": \"value\", ...}} or a flat map; every value must be a string (quote numbers and booleans).";

export async function readJsonFile(file: string, io: CliIo): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`configuration file "${file}" does not exist`, 1, ["Check the path; relative paths are resolved from the current directory."]);
    if (code === "EISDIR") throw new CliError(`configuration file "${file}" is a directory`);
    throw new CliError(`cannot read configuration file "${file}": ${code ?? "unknown error"}`);
  }
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  // Never the parser's own message: it quotes the file, which may hold a password.
  throw new CliError(`configuration file "${file}" is ${parsed.error}`, 1, ["Check quotes, commas and brackets there; every value must be a JSON string in double quotes."]);
}

export async function readConnectorConfigFile(file: string, io: CliIo): Promise<ConnectorConfigDocument> {
  const document = parseConnectorConfigDocument(await readJsonFile(file, io));
  if (!document.ok) {
    throw new CliError(`invalid configuration file "${file}": ${document.error.map((e) => e.message).join("; ")}`, 1, [CONFIG_FILE_SHAPE]);
  }
  return document.value;
}
