export function main(): void {
  if (process.argv.length < 3) process.exit(1);
}
