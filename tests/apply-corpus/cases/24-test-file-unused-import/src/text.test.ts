import { describe, expect, it } from 'vitest';
import { slugify, titleCase } from './text';

describe('slugify', () => {
  it('joins words with dashes', () => {
    expect(slugify(' Hello World ')).toBe('hello-world');
  });
});
