// The initial JS budget: what index.html loads before anything else (its module scripts and
// modulepreloads), gzipped. Lazy chunks (the OIDC sign-in) are listed but not counted.
import { readFile, readdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 120 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = await readFile(join(dist, "index.html"), "utf8");

const initial = new Set();
for (const match of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) initial.add(match[1]);
for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) initial.add(match[1]);
if (initial.size === 0) {
  console.error("report-size: index.html references no module script");
  process.exit(1);
}

const gzipped = async (path) => gzipSync(await readFile(path), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const local = (url) => join(dist, url.replace(/^\//, ""));

let total = 0;
console.log("Initial JS (gzip):");
for (const url of initial) {
  const size = await gzipped(local(url));
  total += size;
  console.log(`  ${url}  ${kb(size)}`);
}

const assets = await readdir(join(dist, "assets"));
const lazy = assets.filter((name) => name.endsWith(".js") && ![...initial].some((url) => url.endsWith(`/${name}`)));
for (const name of lazy) console.log(`  (lazy) /assets/${name}  ${kb(await gzipped(join(dist, "assets", name)))}`);
for (const name of assets.filter((n) => n.endsWith(".css"))) console.log(`  (css)  /assets/${name}  ${kb(await gzipped(join(dist, "assets", name)))}`);

console.log(`Total initial JS: ${kb(total)} gzip (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error(`report-size: the initial JS is over budget by ${kb(total - BUDGET_BYTES)}`);
  process.exit(1);
}
