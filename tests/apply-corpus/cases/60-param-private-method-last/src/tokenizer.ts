export class Tokenizer {
  tokenize(text: string): string[] {
    return text.split(/\s+/).map((word) => this.clean(word, true));
  }

  private clean(word: string, strict: boolean): string {
    return word.replace(/[^\w-]/g, '');
  }
}
