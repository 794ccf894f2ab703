/** Small named errors; adapters wrap raw failures into these once. */
export class SelfreviewError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SelfreviewError';
  }
}

/** Bad input from a person (a path, a config file): shown as one line, no stack. */
export class UserInputError extends SelfreviewError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserInputError';
  }
}

export class ConfigError extends UserInputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export class GitError extends SelfreviewError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GitError';
  }
}
