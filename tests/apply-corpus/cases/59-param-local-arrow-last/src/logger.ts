const write = (message: string, level: string): void => {
  console.log(message);
};

export function logAll(messages: string[]): void {
  for (const message of messages) write(message, 'info');
}
