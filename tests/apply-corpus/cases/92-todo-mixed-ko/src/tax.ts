export function vat(amount: number, rate: number): number {
  // TODO: 향후 국가별 세율 테이블 지원
  // TODO: 반올림이 잘못된 금액을 반환함, 수정 필요
  return Math.floor(amount * rate);
}
