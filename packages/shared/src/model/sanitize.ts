/**
 * Repository text is data, not instructions. Before any of it reaches a model prompt, what a
 * reviewer cannot see is removed (HTML comments, zero-width and bidirectional control
 * characters: the usual carriers of hidden instructions), and no secret from the environment
 * is ever included. Pure: tested on exact text.
 */

/** Zero-width characters, the BOM and invisible separators. */
const ZERO_WIDTH = /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u00AD]/g;
/** Bidirectional embedding, override and isolate controls (the "Trojan Source" characters). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
/** Unicode tag characters, which render as nothing and can spell out text. */
const TAG_CHARACTERS = /[\u{E0000}-\u{E007F}]/gu;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

/**
 * Removes hidden content. An HTML comment keeps its line breaks, so line numbers in the
 * prompt still match the file. Repeated until nothing changes: removing one hidden piece can
 * join its neighbours into a new comment (`<!\u200B--`, or `<!<!-- x -->--`). Each pass that
 * changes anything makes the text shorter, so this ends.
 */
export function stripHiddenContent(text: string): string {
  let out = text;
  for (let previous = ''; out !== previous; ) {
    previous = out;
    out = out
      .replace(HTML_COMMENT, (comment) => comment.replace(/[^\n]/g, ''))
      .replace(ZERO_WIDTH, '')
      .replace(BIDI_CONTROLS, '')
      .replace(TAG_CHARACTERS, '');
  }
  return out;
}

/** Whether `text` carries anything stripHiddenContent would remove. */
export function hasHiddenContent(text: string): boolean {
  return stripHiddenContent(text) !== text;
}

/** Variable names whose values are secrets whatever they look like. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION)/i;
/** Values too short or too common to redact without mangling ordinary code. */
const MIN_SECRET_LENGTH = 8;

/**
 * The values in `env` that must never appear in a prompt: those of variables named like
 * secrets, and any long token-like value (a credential under an innocent name).
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    const tokenLike = value.length >= 20 && /^[A-Za-z0-9_\-.=+/:]+$/.test(value) && /\d/.test(value);
    if (SECRET_NAME.test(name) || tokenLike) values.add(value);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a secret value with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/** What goes into a prompt from the repository: hidden content removed, secrets redacted. */
export function promptSafe(text: string, secrets: readonly string[]): string {
  return redactSecrets(stripHiddenContent(text), secrets);
}
