import { Injectable, Logged } from './di';

@Injectable()
export class UserService {
  private readonly names = new Map<string, string>();

  @Logged()
  rename(id: string, name: string): void {
    this.names.set(id, name);
  }
}
