import { SECTION, LEGACY_SECTION } from './config-keys';

export function findSections(tree: Record<string, Record<string, string[]>>): string[] {
  const found: string[] = [];
  for (const [group, entries] of Object.entries(tree)) {
    if (group.startsWith(SECTION)) {
      for (const values of Object.values(entries)) {
        for (const value of values) {
          if (value) {
            if (!found.includes(value)) found.push(value);
          }
        }
      }
    }
  }
  return found;
}
