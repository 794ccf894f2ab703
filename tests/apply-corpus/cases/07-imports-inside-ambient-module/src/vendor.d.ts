declare module 'widget-kit' {
  export interface Widget {
    id: string;
  }
  export interface WidgetOptions {
    lazy: boolean;
  }
}
