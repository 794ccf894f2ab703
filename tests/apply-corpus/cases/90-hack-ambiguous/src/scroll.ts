export function scrollToTop(el: HTMLElement): void {
  // HACK: Safari ignores scrollTo on a hidden element, so set scrollTop directly
  el.scrollTop = 0;
}
