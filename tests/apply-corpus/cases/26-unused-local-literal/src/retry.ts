export async function withRetry<T>(task: () => Promise<T>, attempts: number): Promise<T> {
  const MAX_BACKOFF_MS = 30_000;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
