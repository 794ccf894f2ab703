import { Theme, Palette } from './theme';

declare global {
  interface Window {
    appTheme: Theme;
  }
}
