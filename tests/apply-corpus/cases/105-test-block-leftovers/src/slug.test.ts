import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { slug } from './slug';

describe('slug', () => {
  it('joins words with dashes', () => {
    const input = 'Hello World';
    const expected = 'hello-world';
    expect(slug('Hello World')).toBe('hello-world');
  });
});
