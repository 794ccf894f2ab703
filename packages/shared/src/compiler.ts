/**
 * The one TypeScript selfreview parses with: syntax trees, the checker and the language
 * service's code fixes all come from here, so a node made by one module is understood by every
 * other (SyntaxKind numbers differ between compiler versions).
 */
export { ts } from 'ts-morph';
