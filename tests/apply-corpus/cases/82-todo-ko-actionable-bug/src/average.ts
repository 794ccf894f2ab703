export function average(values: number[]): number {
  // TODO: 빈 배열이면 NaN을 반환하는 버그 수정
  return values.reduce((a, b) => a + b, 0) / values.length;
}
