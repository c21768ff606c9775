#!/usr/bin/env node
// Placeholder entry point: the findings CLI (`evaluate`, `summary`, `scan`) is built in src/findings.
process.stderr.write('devsecops-findings: not built yet\n');
process.exit(2);
