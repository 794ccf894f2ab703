export function tagPath(tag: string): string {
  return `/tags/${slugify(tag)}`;
}
