import { QueryOptions, Row } from './types';

const table: Row[] = [];

export function query(sql: string): Row[];
export function query(sql: string, options: QueryOptions): Row[];
export function query(sql: string, options?: { limit: number; offset: number }): Row[] {
  if (!sql.trim()) return [];
  const start = options?.offset ?? 0;
  return table.slice(start, start + (options?.limit ?? table.length));
}
