import { readConfig as loadConfig, writeConfig } from './config';

export function saveSettings(values: Record<string, string>): string {
  return writeConfig(values);
}
