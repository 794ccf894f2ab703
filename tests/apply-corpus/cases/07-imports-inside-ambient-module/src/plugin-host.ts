declare module 'plugin-host' {
  import { Widget, WidgetOptions } from 'widget-kit';

  export function mount(widget: Widget): void;
  export function unmount(id: string): void;
}
