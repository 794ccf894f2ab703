declare module 'react' {
  const React: {
    createElement(type: unknown, props: unknown, ...children: unknown[]): JSX.Element;
  };
  export default React;
}

declare namespace JSX {
  interface Element {}
  interface IntrinsicElements {
    [name: string]: Record<string, unknown>;
  }
}
