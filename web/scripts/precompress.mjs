// After `vite build`: a gzip and a brotli copy beside each of the build's text assets, which
// barber serves to browsers that accept them (`barber::web`), so nothing is compressed per
// request. A copy that would not be smaller is not written.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const TEXT = /\.(js|css|svg|html|webmanifest|json)$/;

let raw = 0;
let gzipped = 0;
for (const entry of readdirSync(dist, { recursive: true })) {
  const name = String(entry);
  if (!TEXT.test(name)) continue;
  const path = join(dist, name);
  const body = readFileSync(path);
  const copies = [
    [".gz", gzipSync(body, { level: 9 })],
    [".br", brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
  ];
  for (const [suffix, compressed] of copies) {
    if (compressed.length < body.length) writeFileSync(path + suffix, compressed);
  }
  raw += body.length;
  gzipped += Math.min(body.length, copies[0][1].length);
}
const kB = (n) => `${Math.round(n / 1024)} kB`;
console.log(`precompressed the build: ${kB(raw)} of text, ${kB(gzipped)} gzipped`);
