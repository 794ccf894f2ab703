/**
 * Secrets a change adds, found by secretlint's recommended rules (GitHub, GitLab, npm,
 * Slack, AWS, GCP, OpenAI and other well-known token formats) plus a PEM private-key
 * header check. Only secrets that were not already in the file count: the gate is about
 * what this change adds, not about what the repository already holds.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

export type FoundSecret = { file: string; line: number; kind: string };

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g;

async function secretsIn(
  file: string,
  text: string,
): Promise<{ line: number; kind: string; value: string }[]> {
  const result = await lintSource({
    source: {
      filePath: `/${file}`,
      content: text,
      ext: file.slice(file.lastIndexOf('.')),
      contentType: 'text',
    },
    options: {
      config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] },
    },
  });
  const found = result.messages.map((m) => ({
    line: m.loc.start.line,
    kind: m.ruleId.replace('@secretlint/secretlint-rule-', ''),
    value: text.slice(m.range[0], m.range[1]),
  }));
  for (const match of text.matchAll(PRIVATE_KEY)) {
    found.push({ line: text.slice(0, match.index).split('\n').length, kind: 'private key', value: match[0] });
  }
  return found;
}

/** Secrets in `after` whose text does not occur among the secrets of `before`. */
export async function findAddedSecrets(
  file: string,
  before: string | null,
  after: string | null,
): Promise<FoundSecret[]> {
  if (after === null) return [];
  const known = new Set((before === null ? [] : await secretsIn(file, before)).map((s) => s.value));
  return (await secretsIn(file, after))
    .filter((s) => !known.has(s.value))
    .map((s) => ({ file, line: s.line, kind: s.kind }));
}
