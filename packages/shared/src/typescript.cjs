// The `typescript` package, loaded with require() semantics. Imported from an ES module, Node
// would first run its CommonJS export scanner over typescript.js (9 MB) to find named exports,
// about 0.6 s at every start of every process; through this CommonJS file it is not.
//
// Compiling typescript.js is most of what is left (about 0.2 s of 0.3 s on a 2-core machine),
// at the start of every CLI command and worker that reads syntax. Node 20 has no module compile
// cache (`module.enableCompileCache` came in Node 22), so this file keeps V8's code cache for
// typescript.js itself: compiled once, then read back in about 0.08 s. The cache is a file per
// user (`~/.cache/selfreview/v8`, or SELFREVIEW_CODE_CACHE_DIR; `off` turns it off), written
// atomically; V8 checks it against the source and its own version and flags, and one it
// rejects is written anew. Any failure to read or write it only means compiling as before.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

/** What happened to the code cache in this process, for tests and diagnostics. */
const codeCache = { state: 'off', file: null };

function cacheDirectory() {
  const configured = process.env.SELFREVIEW_CODE_CACHE_DIR;
  if (configured === 'off') return null;
  if (configured) return configured;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'selfreview', 'v8');
}

function cacheFileFor(source, stat) {
  const dir = cacheDirectory();
  if (dir === null) return null;
  // One entry per installed file, as it is now, and per runtime. V8 refuses a cache made by
  // another version or with other flags, but checks the source only by its length: the path,
  // size and modification time tell a changed or other typescript.js apart.
  const installed = crypto.createHash('sha256').update(fs.realpathSync(source)).digest('hex').slice(0, 16);
  const key = [installed, stat.size, Math.trunc(stat.mtimeMs), process.versions.v8, process.arch]
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(dir, `typescript-${key}.bin`);
}

function readCache(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file, data) {
  try {
    // Private to this user: what is in it becomes code this process runs.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, file);
    return true;
  } catch {
    return false;
  }
}

function loadTypeScript() {
  const source = require.resolve('typescript');
  let stat;
  let text;
  try {
    stat = fs.statSync(source);
    text = fs.readFileSync(source, 'utf8');
  } catch {
    return require('typescript');
  }
  const file = cacheFileFor(source, stat);
  const cachedData = file === null ? undefined : readCache(file);
  // The wrapper Node itself puts around a CommonJS module.
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${text}\n});`;
  const script = new vm.Script(wrapper, { filename: source, cachedData });
  const loaded = { exports: {}, filename: source, id: source, loaded: false };
  script.runInThisContext()(loaded.exports, createRequire(source), loaded, source, path.dirname(source));
  loaded.loaded = true;
  if (file !== null) {
    codeCache.file = file;
    if (cachedData !== undefined && !script.cachedDataRejected) {
      codeCache.state = 'used';
    } else {
      const written = writeCache(file, script.createCachedData());
      codeCache.state = written ? (cachedData === undefined ? 'written' : 'replaced') : 'unwritable';
    }
  }
  return loaded.exports;
}

const typescript = loadTypeScript();

module.exports = typescript;
// Read by tests (in a child process) without adding a property to the compiler's namespace.
globalThis[Symbol.for('selfreview.typescriptCodeCache')] = codeCache;
