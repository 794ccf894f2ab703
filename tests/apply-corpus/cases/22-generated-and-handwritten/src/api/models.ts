export interface Pet {
  id: number;
  name: string;
}

export interface Owner {
  id: number;
}
