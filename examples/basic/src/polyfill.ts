// Loaded for its side effect: adds a global that the rest of the code expects.
declare global {
  var exampleStartedAt: number;
}
globalThis.exampleStartedAt = Date.now();
export {};
