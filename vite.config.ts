import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { precompressDir } from './scripts/precompress.ts';

/** Brotli and gzip variants of the build's text files, made once here instead of per request. */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'stepwise-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}

export default defineConfig({
  root: 'apps/web',
  plugins: [react(), precompress()],
  // The manifest lists each page's files: the first-page budget check and the delivery benchmark read it.
  build: { outDir: '../../dist/web', emptyOutDir: true, sourcemap: false, manifest: true },
  server: { proxy: { '/trpc': { target: 'http://localhost:3000', changeOrigin: false } } },
});
