import { Pet, Owner } from './api/models';
import { getPet } from './api/client';

export async function petName(id: number): Promise<string> {
  const pet: Pet = await getPet(id);
  return pet.name;
}
