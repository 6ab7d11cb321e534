// Validates services/suivi/openapi.json with Redocly's OpenAPI linter: the document's structure
// against the OpenAPI 3.1 specification (rule `struct`), every $ref resolved, path parameters
// declared, operation ids unique, security schemes defined, and media-type examples valid
// against their schemas, with Redocly's `recommended-strict` rule set (every rule an error) but
// `operation-4xx-response` (see below).
// The Rust tests (services/suivi/tests/openapi.rs) check the document against the code.
//
// Usage: node validate.mjs [path/to/openapi.json]   (default: ../../services/suivi/openapi.json)
// Prints every problem; exits 1 if there is any, 2 if the document cannot be read.

import { resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfig, lint } from '@redocly/openapi-core';

const here = dirname(fileURLToPath(import.meta.url));
const document = resolve(process.argv[2] ?? resolve(here, '../../services/suivi/openapi.json'));
const shown = relative(process.cwd(), document);

let problems;
try {
  const config = await createConfig({
    extends: ['recommended-strict'],
    rules: {
      // /healthz, /readyz and /api/openapi.json answer no 4xx, and documenting one they never
      // answer would be a lie. services/suivi/tests/openapi.rs checks that every operation
      // behind a token documents its 4xx responses.
      'operation-4xx-response': 'off',
    },
  });
  problems = await lint({ ref: document, config });
} catch (error) {
  console.error(`cannot lint ${document}: ${error?.stack ?? error}`);
  process.exit(2);
}

for (const problem of problems) {
  const where = problem.location?.[0]?.pointer ?? '(document)';
  console.log(`${problem.severity.padEnd(7)} ${problem.ruleId}  ${shown}  ${where}\n        ${problem.message}`);
}
if (problems.length > 0) {
  console.error(`FAIL ${shown}: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`OK ${shown}: valid OpenAPI 3.1, no problem under recommended-strict`);
