/**
 * Imported first by every entry point: on an unsupported Node.js the import fails with one sentence that
 * names the version needed, instead of a missing built-in module or a syntax error deep in a dependency.
 * Node 22.13 is the first 22.x with `node:sqlite` unflagged; the library is tested on 22 and 24 (the LTS lines).
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  throw new Error(`seshat needs Node.js 22.13 or newer (22 or 24 LTS); this is Node.js ${process.versions.node}.`);
}
export {};
