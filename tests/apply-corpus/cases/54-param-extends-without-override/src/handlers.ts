abstract class Handler {
  abstract handle(input: string, attempt: number): string;

  run(input: string): string {
    return this.handle(input, 1);
  }
}

class UpperHandler extends Handler {
  handle(input: string, attempt: number): string {
    return input.toUpperCase();
  }
}

export const upper = new UpperHandler();
