import { parse } from './parser';
import { format } from './format';

export { parse, format };
export { parse as tokenize } from './parser';
