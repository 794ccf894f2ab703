let balance = 0;

export function deposit(amount: number): void {
  const updated = (balance += amount);
}

export function currentBalance(): number {
  return balance;
}
