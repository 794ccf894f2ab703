interface Timestamped {
  createdAt: number;
}

interface Tagged {
  tags: string[];
}

class Tagged {
  static of(tags: string[]): Tagged {
    return Object.assign(new Tagged(), { tags });
  }
}

export function stamp<T extends object>(value: T): T & Timestamped {
  return Object.assign(value, { createdAt: Date.now() });
}
