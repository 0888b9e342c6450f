// `rcorder [-k keyword]... [-s keyword]... file...` for the boot simulation's /etc/rc-like driver
// (test/doubles/boot/rc). Thin adapter: read files, call rcorder(), print one path per line.
// Like rcorder(8): warnings go to stderr, the exit status is 1 when there was any, a path that is
// not a regular file is skipped silently, and an unreadable one is warned about and skipped.
import { readFileSync, statSync } from 'node:fs';
import { parseHeaders } from './headers.ts';
import { rcorder, type RcFile } from './order.ts';

function main(argv: string[]): number {
  const skip: string[] = [];
  const keep: string[] = [];
  const paths: string[] = [];
  let warned = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (paths.length === 0 && (a === '-s' || a === '-k')) {
      const v = argv[++i];
      if (v === undefined) {
        process.stderr.write(`rcorder: option ${a} needs a keyword\n`);
        return 2;
      }
      (a === '-s' ? skip : keep).push(v);
    } else if (paths.length === 0 && a === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    } else {
      paths.push(a);
    }
  }
  const files: RcFile[] = [];
  for (const file of paths) {
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readFileSync(file, 'latin1');
    } catch (e) {
      process.stderr.write(`rcorder: could not open ${file}: ${(e as Error).message}\n`);
      warned = true;
      continue;
    }
    files.push({ file, header: parseHeaders(text, file) });
  }
  const { order, warnings } = rcorder(files, { skipKeywords: skip, onlyKeywords: keep });
  for (const w of warnings) process.stderr.write(`rcorder: ${w.message}\n`);
  process.stdout.write(order.map((f) => `${f}\n`).join(''));
  return warned || warnings.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
