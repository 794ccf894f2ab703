function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export function articlePath(title: string): string {
  return `/articles/${slugify(title)}`;
}
