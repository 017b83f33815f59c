// The edge where helper output enters the program: every line is parsed and validated here,
// once, against helperLineSchema. Nothing downstream sees an unvalidated object.
import { Ajv, type ErrorObject } from "ajv";
import { EXIT, RssdriftError } from "../errors.js";
import { helperLineSchema, type HelperLine, type ProtocolLine } from "./helper-line.js";

const ajv = new Ajv({ discriminator: true, allErrors: false, strict: true, allowUnionTypes: true });
// the status the helper exits with after an error line of a group of codes: an annotation, not a rule
ajv.addKeyword("exitStatus");
const validate = ajv.compile<ProtocolLine>(helperLineSchema);

const EXCERPT_CHARS = 80;

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function describeError(e: ErrorObject): string {
  const field = e.instancePath === "" ? "the line" : e.instancePath;
  if (e.keyword === "required") return `${field} lacks "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === "additionalProperties")
    return `${field} has unexpected field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  return `${field} ${e.message ?? "is invalid"}`;
}

/**
 * Parses one line of a sampling run. Throws an RssdriftError (exit code helperFailure) that names
 * the offending field, and quotes the start of the line, when it is not a valid helper line, or
 * is the check line, which only `--check` prints.
 */
export function parseHelperLine(text: string, origin = "helper"): HelperLine {
  const line = parseProtocolLine(text, origin);
  if (line.type === "check") {
    throw new RssdriftError(`${origin} printed a check line where samples were expected`, EXIT.helperFailure, undefined, "malformed-line");
  }
  return line;
}

/** Parses one line of any helper output, the check line too; throws as parseHelperLine() does. */
export function parseProtocolLine(text: string, origin = "helper"): ProtocolLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RssdriftError(
      `${origin} printed a line that is not JSON: ${JSON.stringify(excerpt(text))}`,
      EXIT.helperFailure,
      undefined,
      "malformed-line",
    );
  }
  if (!validate(value)) {
    const reason = validate.errors?.[0] ? describeError(validate.errors[0]) : "does not match the schema";
    throw new RssdriftError(
      `${origin} printed a malformed line: ${reason} (${JSON.stringify(excerpt(text))})`,
      EXIT.helperFailure,
      undefined,
      "malformed-line",
    );
  }
  return value;
}
