let versionReads = 0;

function readVersion(): string {
  versionReads++;
  return '1.4.2';
}

export function printBanner(): number {
  const banner = `app v${readVersion()}`;
  return versionReads;
}
