import { formatDate, parseDate } from './dates';

export interface ReportRow {
  label: string;
  at: Date;
}

export function renderRow(row: ReportRow): string {
  return `${formatDate(row.at)}  ${row.label}`;
}
