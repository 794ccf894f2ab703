interface Order {
  id: string;
  total: number;
}

const saved: Order[] = [];

function persist(order: Order): number {
  saved.push(order);
  return saved.length;
}

export function placeOrder(order: Order): string {
  const position = persist(order);
  return order.id;
}
