// The `typescript` package, loaded with require(). Imported from an ES module, Node would first
// run its CommonJS export scanner over typescript.js (9 MB) to find named exports, about 0.6 s at
// every start of every process; through this CommonJS file it is simply required. (Assigned
// through a local, not `module.exports = require(...)`, which the scanner would follow.)
const typescript = require('typescript');

module.exports = typescript;
