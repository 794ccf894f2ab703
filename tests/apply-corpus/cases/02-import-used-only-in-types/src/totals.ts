import { Invoice, LineItem } from './model';

function lineTotal(item: LineItem): number {
  return item.quantity * item.unitPrice;
}

export function invoiceTotal(invoice: Invoice): number {
  return invoice.items.reduce((sum, item) => sum + lineTotal(item), 0);
}
