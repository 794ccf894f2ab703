const timers: number[] = [];

export function startPolling(poll: () => void): number {
  // FIXME: 타이머를 해제하지 않아 메모리 누수 발생
  const id = window.setInterval(poll, 1000);
  timers.push(id);
  return id;
}
