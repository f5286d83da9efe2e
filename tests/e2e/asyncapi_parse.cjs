// Parses AsyncAPI documents with npm's @asyncapi/parser (installed by .ci/asyncapi):
//   node asyncapi_parse.cjs PARSER_DIR FILE...
// prints one JSON result per file: errors, warnings, and what the parser read.
const path = require('path');
const fs = require('fs');
const parserDir = path.join(process.argv[2], 'node_modules', '@asyncapi', 'parser');
const { Parser } = require(parserDir);

function said(d) {
  return `${d.code}: ${d.message} at ${d.path.join('/')}`;
}

(async () => {
  const parser = new Parser();
  const results = [];
  for (const file of process.argv.slice(3)) {
    const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
    const result = {
      errors: diagnostics.filter((d) => d.severity === 0).map(said),
      warnings: diagnostics.filter((d) => d.severity === 1).map(said),
    };
    if (document) {
      result.version = document.version();
      result.channels = document.channels().all().map((c) => c.address());
      result.messages = document.allMessages().all().map((m) => m.title());
      result.operations = document.operations().all().map((o) => o.id());
      result.payloadTypes = document.allMessages().all().map((m) => m.payload().type());
    }
    results.push(result);
  }
  process.stdout.write(JSON.stringify(results));
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
