export interface QueryOptions {
  limit: number;
  offset: number;
}

export interface Row {
  [column: string]: unknown;
}
