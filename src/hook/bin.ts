// PLACEHOLDER: replaced by the runtime hook (issue 4).
process.stderr.write('hook: not built yet\n');
process.exitCode = 1;
