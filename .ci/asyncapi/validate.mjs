// Validates proto/asyncapi.yaml with the official AsyncAPI parser: the document against the
// AsyncAPI 3.0 specification and its rule set, and every JSON Schema it references (the
// relative `./schemas/*.json` files are resolved from disk). The parser's 3.0 rule set does not
// check message examples against payloads: the Rust test
// `it_gives_examples_that_validate_against_their_message_and_decode` (proto/tests/asyncapi.rs) does.
//
// Usage: node validate.mjs [path/to/asyncapi.yaml]   (default: ../../proto/asyncapi.yaml)
// Prints every diagnostic; exits 1 if any has severity "error", 2 if the document cannot be read.

import { resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const here = dirname(fileURLToPath(import.meta.url));
const document = resolve(process.argv[2] ?? resolve(here, '../../proto/asyncapi.yaml'));

const severityName = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

function describe(diagnostic) {
  const severity = severityName[diagnostic.severity] ?? `severity ${diagnostic.severity}`;
  const where = diagnostic.path?.length ? diagnostic.path.join('.') : '(document)';
  const line = diagnostic.range ? `:${diagnostic.range.start.line + 1}` : '';
  const source = diagnostic.source ? relative(process.cwd(), diagnostic.source) : relative(process.cwd(), document);
  return `${severity.padEnd(7)} ${diagnostic.code}  ${source}${line}  ${where}\n        ${diagnostic.message}`;
}

let output;
try {
  // `fromFile` passes the file's path as the source, so relative $refs resolve from its folder.
  output = await fromFile(new Parser(), document).parse();
} catch (error) {
  console.error(`cannot parse ${document}: ${error?.stack ?? error}`);
  process.exit(2);
}

const { document: parsed, diagnostics } = output;
for (const diagnostic of diagnostics) {
  console.log(describe(diagnostic));
}

const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
const others = diagnostics.length - errors;
if (errors > 0 || parsed === undefined) {
  console.error(`FAIL ${relative(process.cwd(), document)}: ${errors} error(s), ${others} other diagnostic(s)`);
  process.exit(1);
}
const channels = parsed.channels().length;
const messages = parsed.allMessages().length;
console.log(
  `OK ${relative(process.cwd(), document)}: AsyncAPI ${parsed.version()}, ${channels} channels, ` +
    `${messages} messages, ${others} non-error diagnostic(s)`,
);
