import { expectTypeOf } from 'vitest';
import { parse } from './parse';

type Parsed = ReturnType<typeof parse>;
const sample = parse('1');

expectTypeOf(parse('2')).toEqualTypeOf<{ value: number }>();
