import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Text files worth compressing; smaller files gain less than the encoding's own overhead. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest|wasm)$/;
const MIN_BYTES = 1024;

/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) next to every compressible
 * file under `dir` (dot-folders skipped), once, at build time: the server then sends the variant the
 * browser accepts without compressing anything per request (apps/server/src/staticFiles.ts).
 * Returns the files it compressed.
 */
export function precompressDir(dir: string): string[] {
  const walk = (at: string): string[] =>
    readdirSync(at, { withFileTypes: true }).flatMap((entry) =>
      entry.name.startsWith('.')
        ? []
        : entry.isDirectory()
          ? walk(join(at, entry.name))
          : [join(at, entry.name)],
    );
  const done: string[] = [];
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.test(file) || statSync(file).size < MIN_BYTES) continue;
    const content = readFileSync(file);
    const quality = { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY };
    const sizeHint = { [constants.BROTLI_PARAM_SIZE_HINT]: content.length };
    writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { ...quality, ...sizeHint } }));
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    done.push(file);
  }
  return done;
}
