export async function fetchWithRetry(url: string): Promise<Response> {
  return retryWithBackoff(() => fetch(url), { attempts: 3 });
}
