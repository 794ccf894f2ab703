export interface Theme {
  primary: string;
}

export interface Palette {
  colors: string[];
}
