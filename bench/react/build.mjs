// Production build of the React reference: `node build.mjs <out dir> <stylesheet href> [<base>]`.
//
// esbuild bundles src/main.jsx with React's production build (`process.env.NODE_ENV` defined as
// "production"), minified, into `<out dir>/main-<hash>.js`, and writes `<out dir>/index.html`
// that loads it from `<base>` (default `/react/`) next to the stylesheet it is given: the bench
// passes the SPA's own CSS file, so both pages use the same stylesheet.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as esbuild from 'esbuild';

const [out, css, base = '/react/'] = process.argv.slice(2);
if (!out || !css) {
  console.error('usage: node build.mjs <out dir> <stylesheet href> [<base>]');
  process.exit(2);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: ['src/main.jsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});
const scripts = Object.keys(result.metafile.outputs)
  .filter((f) => f.endsWith('.js'))
  .map((f) => basename(f));
if (scripts.length !== 1) {
  console.error(`expected one script, esbuild wrote ${scripts.join(', ')}`);
  process.exit(1);
}
const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
writeFileSync(
  `${out}/index.html`,
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light" />
    <title>Gatehouse (React reference)</title>
    <script type="module" src="${escape(base + scripts[0])}"></script>
    <link rel="stylesheet" href="${escape(css)}" />
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`,
);
console.log(`react reference: ${out}/${scripts[0]}, index.html (stylesheet ${css})`);
