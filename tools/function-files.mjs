#!/usr/bin/env node
// Prints the compiled files the Cloud Functions run: package.json's `main` (dist/functions/index.js) and
// every module it imports, transitively, with their source maps; one path a line, relative to the
// repository. infra/scripts/package-source.sh packs exactly these, so the function source holds no test,
// benchmark, simulator, sample generator, dev stack or CLI module, and nothing is left out: a module
// outside this list is a module the functions never load.
//
// Imports are read with TypeScript's own scanner (ts.preProcessFile), dynamic import('...') included;
// an import() of a computed path cannot be followed and fails the listing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = resolve(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).main);

function fail(message) {
  process.stderr.write(`function-files: ${message}\n`);
  process.exit(1);
}

if (!existsSync(main)) fail(`${relative(ROOT, main)} is not built: run npm run build`);

const seen = new Set();
const pending = [main];
while (pending.length) {
  const file = pending.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (/\bimport\(\s*[^'"\s)]/.test(text)) fail(`${relative(ROOT, file)} imports a computed path, which this listing cannot follow`);
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!fileName.startsWith('.')) continue; // a package: npm ci installs it from the lock file
    const target = resolve(dirname(file), fileName);
    if (!existsSync(target)) fail(`${relative(ROOT, file)} imports ${fileName}, which is not built`);
    pending.push(target);
  }
}

const files = [...seen].flatMap((file) => (existsSync(`${file}.map`) ? [file, `${file}.map`] : [file]));
process.stdout.write(files.map((file) => relative(ROOT, file)).sort().join('\n') + '\n');
