export interface LineItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Invoice {
  id: string;
  items: LineItem[];
}
