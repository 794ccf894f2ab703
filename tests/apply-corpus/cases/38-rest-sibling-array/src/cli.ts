export function commandArgs(argv: string[]): string[] {
  const [command, ...args] = argv;
  return args.filter((arg) => !arg.startsWith('--'));
}
