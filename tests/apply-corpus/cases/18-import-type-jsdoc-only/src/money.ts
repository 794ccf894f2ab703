export interface Money {
  amount: number;
  currency: string;
}
