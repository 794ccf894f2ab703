export abstract class Storage {
  abstract save(key: string, value: string): void;
}

export class ConsoleStorage extends Storage {
  override save(key: string, value: string): void {
    console.log(value);
  }
}
