interface Item {
  id: string;
  title: string;
  archived: boolean;
}

const label = ({ id, title }: Item): string => `#${id}`;

export function labels(items: Item[]): string[] {
  return items.map(label);
}
