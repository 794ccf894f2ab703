export function onResize(callback: () => void): void {
  /* TODO: listener leak - the handler is never removed when the widget unmounts */
  window.addEventListener('resize', callback);
}
