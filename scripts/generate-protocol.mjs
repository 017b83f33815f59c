#!/usr/bin/env node
// Writes src/protocol/helper-protocol.ts, the TypeScript image of the helper protocol, from its one
// source, helpers/rssdrift_helper/protocol.json (which the helper itself reads): the document as an
// `as const` value (literal types: the schema for ajv, the error codes and their exit statuses, the
// control commands), and the line types as interfaces made by json-schema-to-typescript, with the
// schema's descriptions as their doc comments. Generated, not inferred by the compiler, so tsc
// stays fast and the types read like hand-written ones.
//
// usage: node scripts/generate-protocol.mjs [--check]   (npm run protocol)
//   --check: write nothing; exit 1 when the file is not what protocol.json makes (a test runs this)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const SOURCE = "helpers/rssdrift_helper/protocol.json";
const TARGET = "src/protocol/helper-protocol.ts";
const repoPath = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

const HEADER = `// GENERATED from ${SOURCE} by scripts/generate-protocol.mjs: do not edit.
// Change protocol.json, then run \`npm run protocol\` (a test fails while this file is stale).
`;

/** The module's text for protocol.json's text `json`: the JSON as it stands is a TypeScript expression. */
async function moduleText(json) {
  const types = await compile(JSON.parse(json).helperLine, "ProtocolLine", {
    bannerComment: "",
    additionalProperties: false, // an object without additionalProperties has the listed fields only
    ignoreMinAndMaxItems: true, // number[], not [number, ...number[]], for a list with minItems
    style: { printWidth: 140 },
  });
  return `${HEADER}
/** ${SOURCE}, with its literal types. */
export const helperProtocol = ${json.trimEnd()} as const;

${types}`;
}

const wanted = await moduleText(readFileSync(repoPath(SOURCE), "utf8"));
if (process.argv.includes("--check")) {
  let current = null;
  try {
    current = readFileSync(repoPath(TARGET), "utf8");
  } catch {
    // missing: stale
  }
  if (current !== wanted) {
    console.error(`${TARGET} is not what ${SOURCE} makes: run \`npm run protocol\``);
    process.exit(1);
  }
} else {
  writeFileSync(repoPath(TARGET), wanted);
}
